using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using MediaServer.AccessControl;
using MediaServer.Tests.Infrastructure;

namespace MediaServer.Tests.Cli;

/// <summary>The program as users start it: its help, its option errors, its printed URLs, and a clean stop on SIGTERM.</summary>
public sealed partial class CommandLineTests
{
    private static readonly string s_program = Path.Combine(AppContext.BaseDirectory, "MediaServer.dll");

    private static string Dotnet => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : ExternalTool.Find("dotnet");

    private static Task<ToolResult> RunAsync(params string[] arguments) =>
        ExternalTool.RunAsync(Dotnet, [s_program, .. arguments], TimeSpan.FromSeconds(60));

    [Fact]
    public async Task HelpExplainsEveryOption()
    {
        ToolResult help = await RunAsync("--help");

        Assert.Equal(0, help.ExitCode);
        foreach (string option in new[] { "--host", "--port", "--ingest-port", "--srt-port", "--srt-latency", "--srt-passphrase-file", "--media", "--cache-size", "--live-buffer", "--live-buffer-time", "--live-max-bitrate", "--max-channels", "--max-channels-per-address", "--memory-budget", "--max-connections", "--max-connections-per-address", "--first-request-timeout", "--publish-auth", "--stream-keys", "--stream-key", "--publish-secret-file", "--viewer-secret-file", "--log-level", "--memory", "--lock-media", "--metrics-port", "--copy-slices" })
        {
            Assert.Matches($@"(?m)^\s+{Regex.Escape(option)}\b[^\n]*?\s{{2,}}[A-Z][^\n]{{20,}}", help.StandardOutput); // the option, then a sentence
        }
    }

    [Theory]
    [InlineData("--port", "70000", "--port must be between 0 and 65535")]
    [InlineData("--cache-size", "12Q", "'12Q' is not a size in bytes")]
    [InlineData("--live-buffer", "1K", "--live-buffer must be at least 64 KiB")]
    [InlineData("--port", "abc", "--port 'abc' is not a whole number")]
    [InlineData("--ingest-port", "-1", "--ingest-port must be between 0 and 65535")]
    [InlineData("--srt-port", "70000", "--srt-port must be between 0 and 65535")]
    [InlineData("--srt-latency", "5", "--srt-latency must be between 20 and 8000")]
    [InlineData("--live-buffer", "abc", "--live-buffer 'abc' is not a size in bytes")]
    [InlineData("--max-channels", "0", "--max-channels must be between 1")]
    [InlineData("--max-connections", "many", "--max-connections 'many' is not a whole number")]
    [InlineData("--memory", "disk", "'disk' not recognized")]
    [InlineData("--host", "example.org", "is not an IP address")]
    [InlineData("--live-buffer-time", "30x", "--live-buffer-time '30x' is not a length of time")]
    [InlineData("--live-max-bitrate", "8Q", "--live-max-bitrate '8Q' is not a bit rate")]
    [InlineData("--live-max-bitrate", "8M", "--live-max-bitrate sizes --live-buffer-time")]
    [InlineData("--live-buffer-time", "1h --live-buffer 1G", "not both")]
    [InlineData("--live-buffer-time", "1s --live-max-bitrate 100k", "needs 12.21 KiB; a ring must be between 64 KiB")]
    public async Task InvalidOptionsFailWithAMessage(string option, string value, string message)
    {
        ToolResult result = await RunAsync([option, .. value.Split(' ')]);

        Assert.Equal(2, result.ExitCode); // a usage error, as ChunkServer answers one; never an unhandled exception (134)
        Assert.DoesNotContain("Unhandled exception", result.StandardError, StringComparison.Ordinal);
        Assert.Contains(message, result.StandardError, StringComparison.Ordinal);
        Assert.Contains("Run 'MediaServer --help' for usage.", result.StandardError, StringComparison.Ordinal);
        Assert.Equal(string.Empty, result.StandardOutput); // the error, not the whole help
    }

    [Fact]
    public async Task AnSrtPassphraseOutsideSrtsLimitsIsRefusedBeforeStart()
    {
        string file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, "short\n");

            ToolResult result = await RunAsync("--port", "0", "--ingest-port", "0", "--srt-port", "0", "--srt-passphrase-file", file);

            Assert.Equal(1, result.ExitCode); // as an unreadable or too short token secret
            Assert.Contains("an SRT passphrase is 10 to 79 characters, this one 5", result.StandardError, StringComparison.Ordinal);
            Assert.Equal(string.Empty, result.StandardOutput);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task VersionPrintsTheLibrarysVersion()
    {
        ToolResult result = await RunAsync("--version");

        Assert.Equal(0, result.ExitCode);
        Assert.Matches(@"^ZeroCopy \d+\.\d+\.\d+", result.StandardOutput);
    }

    [Fact]
    public async Task TheTokenCommandSignsATokenTheServerAccepts()
    {
        string secretFile = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(secretFile, "a-secret-of-at-least-16-bytes\n");
            ToolResult result = await RunAsync("token", "cam1", "--secret-file", secretFile, "--valid-for", "600");

            Assert.Equal(0, result.ExitCode);
            string token = result.StandardOutput.Trim();
            var credentials = new MediaServer.AccessControl.PublishCredentials(required: true, new Dictionary<string, string>(), System.Text.Encoding.UTF8.GetBytes("a-secret-of-at-least-16-bytes"));
            Assert.Equal(MediaServer.AccessControl.CredentialCheck.Valid, credentials.Check("cam1", token));
            Assert.Equal(MediaServer.AccessControl.CredentialCheck.Invalid, credentials.Check("cam2", token));
        }
        finally
        {
            File.Delete(secretFile);
        }
    }

    [Fact]
    public async Task AMalformedStreamKeyFileFailsToStart()
    {
        string keyFile = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(keyFile, "cam1\n");
            ToolResult result = await RunAsync("--port", "0", "--ingest-port", "0", "--stream-keys", keyFile);

            Assert.Equal(1, result.ExitCode);
            Assert.Contains("expected 'CHANNEL KEY'", result.StandardError, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(keyFile);
        }
    }

    [Fact]
    public async Task AMissingMediaFolderFailsToStart()
    {
        ToolResult result = await RunAsync("--port", "0", "--ingest-port", "0", "--media", "/nonexistent/media");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("does not exist", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task APortInUseIsNamedBeforeAnyVideoLoads()
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        int port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;

        ToolResult result = await RunAsync("--port", port.ToString(CultureInfo.InvariantCulture), "--ingest-port", "0");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"MediaServer: cannot start: cannot listen on 127.0.0.1:{port}: Address already in use", result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("loaded ", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ItPrintsItsUrlsServesThePageAndStopsCleanlyOnSigterm()
    {
        using RunningTool server = ExternalTool.Start(Dotnet, [s_program, "--port", "0", "--ingest-port", "0"]);
        Uri? page = null;
        var clock = Stopwatch.StartNew();
        while (page is null && clock.Elapsed < TimeSpan.FromSeconds(30) && !server.Process.HasExited)
        {
            Match match = PageLine().Match(server.StandardOutput);
            page = match.Success ? new Uri(match.Groups[1].Value) : null;
            await Task.Delay(100);
        }

        Assert.True(page is not null, $"no 'Page:' line within 30 s; stdout:\n{server.StandardOutput}\nstderr:\n{server.StandardError}");
        Assert.Equal("127.0.0.1", page.Host);
        Assert.NotEqual(0, page.Port);
        Assert.Contains("/videos/clip.mp4", server.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("Live:   push MPEG-TS to tcp://127.0.0.1:", server.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("Publish: open to anyone", server.StandardOutput, StringComparison.Ordinal); // loopback only
        Assert.Contains("Memory: 1.5 GiB budget", server.StandardOutput, StringComparison.Ordinal);

        using (var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) })
        {
            string html = await client.GetStringAsync(page);
            Assert.Contains("ZeroCopy MediaServer", html, StringComparison.Ordinal);
        }

        (await ExternalTool.RunAsync("kill", ["-TERM", server.Process.Id.ToString(CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(10))).AssertClean();
        ToolResult stopped = await server.WaitAsync(TimeSpan.FromSeconds(15));

        Assert.Equal(0, stopped.ExitCode);
        Assert.Contains("MediaServer stopped.", stopped.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("GET / -> 200", stopped.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ABufferGivenAsATimeIsSizedAtTheMaximumBitRateAndPrinted()
    {
        using RunningTool server = ExternalTool.Start(Dotnet, [s_program, "--port", "0", "--ingest-port", "0", "--live-buffer-time", "30min", "--live-max-bitrate", "4M"]);
        var clock = Stopwatch.StartNew();
        while (!server.StandardOutput.Contains("Press Ctrl+C", StringComparison.Ordinal) && clock.Elapsed < TimeSpan.FromSeconds(30) && !server.Process.HasExited)
        {
            await Task.Delay(100);
        }

        // 30 min at 4 Mbit/s: 900,000,000 bytes (858.31 MiB; a ring in shared memory rounds up to 32 KiB).
        Assert.Contains("each channel's ring: 858.31 MiB, 30 min at 4 Mbit/s", server.StandardOutput, StringComparison.Ordinal);
        (await ExternalTool.RunAsync("kill", ["-TERM", server.Process.Id.ToString(CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(10))).AssertClean();
        Assert.Equal(0, (await server.WaitAsync(TimeSpan.FromSeconds(15))).ExitCode);
    }

    [GeneratedRegex(@"Page:\s+(http://\S+)")]
    private static partial Regex PageLine();
}
