using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text.RegularExpressions;
using MediaServer.Tests.Infrastructure;
using ZeroCopy;

namespace ChunkServer.Tests;

/// <summary>The program as users start it: help, version, option errors, a missing server, and a clean stop on SIGTERM.</summary>
public sealed partial class CommandLineTests
{
    private static readonly string s_program = Path.Combine(AppContext.BaseDirectory, "ChunkServer.dll");

    private static string Dotnet => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : ExternalTool.Find("dotnet");

    private static Task<ToolResult> RunAsync(params string[] arguments) =>
        ExternalTool.RunAsync(Dotnet, [s_program, .. arguments], TimeSpan.FromSeconds(60));

    [Fact]
    public async Task HelpListsBothCommands()
    {
        ToolResult help = await RunAsync("--help");

        Assert.Equal(0, help.ExitCode);
        Assert.Matches(@"(?m)^\s+serve\s{2,}[A-Z]", help.StandardOutput);
        Assert.Matches(@"(?m)^\s+get\s{2,}[A-Z]", help.StandardOutput);
    }

    [Fact]
    public async Task VersionIsTheLibrarysVersion()
    {
        ToolResult version = await RunAsync("--version");

        string expected = typeof(VideoCache).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
        Assert.Equal(0, version.ExitCode);
        Assert.Equal($"ZeroCopy {expected}", version.StandardOutput.Trim());
    }

    [Theory]
    [InlineData("serve --port abc", "--port 'abc' is not a whole number")]
    [InlineData("serve --port 70000", "--port must be between 0 and 65535 (got 70000)")]
    [InlineData("get --port 0", "--port must be between 1 and 65535 (got 0)")]
    [InlineData("get --size -1", "--size must be between 0 and 2147483647 (got -1)")]
    [InlineData("get --offset 1e3", "--offset '1e3' is not a whole number")]
    [InlineData("get --host example.org", "--host 'example.org' is not an IP address")]
    [InlineData("serve --media /nonexistent/media", "/nonexistent/media")]
    [InlineData("serve --frob 1", "'--frob'")]
    [InlineData("", "Required command was not provided")]
    public async Task InvalidCommandLineFailsWithAMessageAndExitCode2(string arguments, string message)
    {
        ToolResult result = await RunAsync(arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetWithNoServerSaysSoAndExits1()
    {
        int port;
        using (var probe = new Socket(SocketType.Stream, ProtocolType.Tcp))
        {
            probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            port = ((IPEndPoint)probe.LocalEndPoint!).Port; // closed again: nothing listens there
        }

        ToolResult result = await RunAsync("get", "--port", port.ToString(CultureInfo.InvariantCulture));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"cannot get a chunk from 127.0.0.1:{port}: Connection refused", result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServeAnswersGetAndStopsCleanlyOnSigterm()
    {
        string media = Directory.CreateTempSubdirectory("zerocopy-chunkserver-").FullName;
        try
        {
            byte[] video = new byte[100_000];
            new Random(5).NextBytes(video);
            await File.WriteAllBytesAsync(Path.Combine(media, "clip.bin"), video);
            using RunningTool server = ExternalTool.Start(Dotnet, [s_program, "serve", "--port", "0", "--media", media]);
            int port = 0;
            var clock = Stopwatch.StartNew();
            while (port == 0 && clock.Elapsed < TimeSpan.FromSeconds(30) && !server.Process.HasExited)
            {
                Match match = ListeningLine().Match(server.StandardOutput);
                port = match.Success ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
                await Task.Delay(100);
            }

            Assert.True(port != 0, $"no 'listening on' line within 30 s; stdout:\n{server.StandardOutput}\nstderr:\n{server.StandardError}");

            ToolResult get = await RunAsync("get", "--port", port.ToString(CultureInfo.InvariantCulture), "--video", "clip.bin", "--offset", "10", "--size", "1000");
            Assert.Equal(0, get.ExitCode);
            string sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(video.AsSpan(10, 1000)));
            Assert.Contains($"Ok: 1,000 bytes of 'clip.bin' at offset 10", get.StandardOutput, StringComparison.Ordinal);
            Assert.Contains(sha, get.StandardOutput, StringComparison.Ordinal);

            (await ExternalTool.RunAsync("kill", ["-TERM", server.Process.Id.ToString(CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(10))).AssertClean();
            ToolResult stopped = await server.WaitAsync(TimeSpan.FromSeconds(15));

            Assert.Equal(0, stopped.ExitCode);
            Assert.Contains("ChunkServer stopped.", stopped.StandardOutput, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(media, recursive: true);
        }
    }

    [GeneratedRegex(@"listening on tcp://127\.0\.0\.1:(\d+)")]
    private static partial Regex ListeningLine();
}
