using MediaServer.Tests.Infrastructure;

namespace MediaServer.Tests.Edge;

/// <summary>deploy/edge/render.sh's options: each mode renders a configuration nginx (or, with --vcl, Varnish) accepts, a wrong one is refused.</summary>
public sealed class EdgeRenderTests : IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(20);
    private readonly string _prefix = Directory.CreateTempSubdirectory("zerocopy-edge-render-").FullName;

    public void Dispose() => Directory.Delete(_prefix, recursive: true);

    [Theory]
    [InlineData(new string[0], "aio off;")] // the default: a warm cache's sendfile(2) stays on the event loop
    [InlineData(new[] { "--aio", "threads" }, "aio threads;")]
    public async Task EachAioModeRendersAConfigurationNginxAccepts(string[] options, string directive)
    {
        ToolResult rendered = await RenderAsync(options);

        Assert.True(rendered.ExitCode == 0, rendered.StandardError);
        Assert.Contains("    " + directive + "\n", rendered.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("open_file_cache max=", rendered.StandardOutput, StringComparison.Ordinal);
        Directory.CreateDirectory(Path.Combine(_prefix, "tmp"));
        Directory.CreateDirectory(Path.Combine(_prefix, "cache"));
        string configuration = Path.Combine(_prefix, "edge.conf");
        await File.WriteAllTextAsync(configuration, rendered.StandardOutput);
        ToolResult checkedByNginx = await ExternalTool.RunAsync("nginx", ["-t", "-q", "-p", _prefix, "-c", configuration], s_timeout);
        Assert.True(checkedByNginx.ExitCode == 0, checkedByNginx.StandardError);
    }

    [Fact]
    public async Task AnUnknownAioModeIsRefusedWithExitCode2()
    {
        ToolResult rendered = await RenderAsync(["--aio", "on"]);

        Assert.Equal(2, rendered.ExitCode);
        Assert.Contains("--aio is off or threads", rendered.StandardError, StringComparison.Ordinal);
        Assert.Empty(rendered.StandardOutput);
    }

    [Fact]
    public async Task TheLiveEdgeVclHasEveryOriginOnTheShardRingAndVarnishCompilesIt()
    {
        ToolResult rendered = await RenderAsync(["--vcl", "--origin", "127.0.0.1:3", "--ingest-allow", "10.0.1.0/24,127.0.0.1"]);

        Assert.True(rendered.ExitCode == 0, rendered.StandardError);
        Assert.DoesNotContain("@", rendered.StandardOutput.Replace("@NAME@", "", StringComparison.Ordinal), StringComparison.Ordinal);
        // Sorted: every edge builds the same ring whatever order its origins were given in.
        int first = rendered.StandardOutput.IndexOf("origins.add_backend(origin_127_0_0_1_1);", StringComparison.Ordinal);
        int second = rendered.StandardOutput.IndexOf("origins.add_backend(origin_127_0_0_1_3);", StringComparison.Ordinal);
        Assert.True(first > 0 && second > first, rendered.StandardOutput);
        Assert.Contains("    \"10.0.1.0\"/24;\n    \"127.0.0.1\";\n", rendered.StandardOutput, StringComparison.Ordinal);
        // Run as root, varnishd reads and compiles the VCL as the varnish package's unprivileged users: they must reach it.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(_prefix, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead
                | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }

        string vcl = Path.Combine(_prefix, "live.vcl");
        await File.WriteAllTextAsync(vcl, rendered.StandardOutput);
        ToolResult compiled = await ExternalTool.RunAsync(File.Exists("/usr/sbin/varnishd") ? "/usr/sbin/varnishd" : "varnishd", ["-C", "-f", vcl, "-n", Path.Combine(_prefix, "varnishd")], s_timeout);
        Assert.True(compiled.ExitCode == 0, compiled.StandardError);
    }

    private static Task<ToolResult> RenderAsync(string[] options) => ExternalTool.RunAsync(
        "bash", [Path.Combine(AppContext.BaseDirectory, "edge", "render.sh"), "--origin", "127.0.0.1:1", .. options], s_timeout);
}
