using System.Reflection;
using MediaServer.Tests.Infrastructure;
using ZeroCopy;

namespace AspNetCore.Tests;

/// <summary>The sample as users start it: --help and --version are answered before ASP.NET Core's configuration reads the arguments.</summary>
public sealed class CommandLineTests
{
    private static readonly string s_program = Path.Combine(AppContext.BaseDirectory, "AspNetCoreSample.dll");

    private static string Dotnet => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : ExternalTool.Find("dotnet");

    private static Task<ToolResult> RunAsync(params string[] arguments) =>
        ExternalTool.RunAsync(Dotnet, [s_program, .. arguments], TimeSpan.FromSeconds(60));

    [Theory]
    [InlineData("--help", "--urls", "http://127.0.0.1:1")] // --urls is neither swallowed as --help's value nor used
    [InlineData("--urls", "http://127.0.0.1:1", "-h")]
    public async Task HelpPrintsTheOptionsAndExitsWithoutStarting(params string[] arguments)
    {
        ToolResult help = await RunAsync(arguments);

        Assert.Equal(0, help.ExitCode);
        foreach (string option in new[] { "--media", "--urls", "--segment-size", "--results-stream", "--version", "--help" })
        {
            Assert.Contains(option, help.StandardOutput, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("Now listening", help.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VersionIsTheLibrarysVersion()
    {
        ToolResult version = await RunAsync("--version");

        string expected = typeof(VideoCache).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
        Assert.Equal(0, version.ExitCode);
        Assert.Equal($"ZeroCopy {expected}", version.StandardOutput.Trim());
    }

    [Fact]
    public async Task AMissingMediaFolderFailsToStartWithAMessage()
    {
        ToolResult result = await RunAsync("--media", "/nonexistent/media", "--urls", "http://127.0.0.1:0");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("cannot start: --media /nonexistent/media: no such folder", result.StandardError, StringComparison.Ordinal);
    }
}
