using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using MediaServer.Tests.Infrastructure;

namespace MediaServer.Tests.Hosting;

/// <summary>
/// Issue 11: the server run as a child process under a small descriptor limit (<c>prlimit</c>), flooded with more idle
/// connections than the limit allows, keeps running, serves again by itself, and stops cleanly.
/// </summary>
public sealed partial class DescriptorExhaustionTests
{
    private static readonly string s_program = Path.Combine(AppContext.BaseDirectory, "MediaServer.dll");

    private static string Dotnet => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : ExternalTool.Find("dotnet");

    [Fact]
    public async Task AFloodBeyondTheDescriptorLimitDegradesAndRecovers()
    {
        // Soft limit 120, hard limit 160: the server raises the soft one and caps its connections below it.
        using RunningTool server = ExternalTool.Start(ExternalTool.Find("prlimit"),
            ["--nofile=120:160", Dotnet, s_program, "--port", "0", "--ingest-port", "0", "--max-connections-per-address", "100000", "--first-request-timeout", "2", "--log-level", "Warning"]);
        var clock = Stopwatch.StartNew();
        Match limits = Match.Empty;
        while (!limits.Success && clock.Elapsed < TimeSpan.FromSeconds(30) && !server.Process.HasExited)
        {
            limits = LimitsLine().Match(server.StandardOutput);
            await Task.Delay(100);
        }

        Assert.True(limits.Success, $"no 'Limits:' line; stdout:\n{server.StandardOutput}\nstderr:\n{server.StandardError}");
        int maxConnections = int.Parse(limits.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.Equal("160", limits.Groups[2].Value);
        Assert.InRange(maxConnections, 1, 159);
        var endPoint = new IPEndPoint(IPAddress.Loopback, new Uri(PageLine().Match(server.StandardOutput).Groups[1].Value).Port);
        var ingest = new IPEndPoint(IPAddress.Loopback, int.Parse(IngestLine().Match(server.StandardOutput).Groups[1].Value, CultureInfo.InvariantCulture));

        // More idle connections on both ports than the process has descriptors: the two budgets together stay below the
        // limit, so the flood is closed at accept (or waits in the backlog) and the runtime keeps the descriptors it needs.
        var flood = new List<Socket>();
        try
        {
            for (int client = 2; client < 18; client++)
            {
                for (int i = 0; i < 4; i++)
                {
                    var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                    flood.Add(socket);
                    socket.Bind(new IPEndPoint(IPAddress.Parse($"127.0.0.{client}"), 0));
                    await socket.ConnectAsync(ingest);
                }
            }

            for (int i = 0; i < 400; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                flood.Add(socket);
                await socket.ConnectAsync(endPoint);
            }

            await Task.Delay(1000);
            Assert.False(server.Process.HasExited, $"the server died under the flood:\n{server.StandardError}");
        }
        finally
        {
            flood.ForEach(socket => socket.Dispose());
        }


        // Recovered by itself: a request is answered within a few seconds of the flood ending.
        using (var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) })
        {
            HttpResponseMessage? response = null;
            while (response is null && clock.Elapsed < TimeSpan.FromSeconds(90))
            {
                try
                {
                    response = await client.GetAsync(new Uri($"http://{endPoint}/videos"));
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    await Task.Delay(200);
                }
            }

            Assert.True(response is { StatusCode: HttpStatusCode.OK }, $"not serving after the flood:\n{server.StandardOutput}\n{server.StandardError}");
        }

        (await ExternalTool.RunAsync("kill", ["-TERM", server.Process.Id.ToString(CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(10))).AssertClean();
        ToolResult stopped = await server.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(0, stopped.ExitCode);
        Assert.Contains("MediaServer stopped.", stopped.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("cannot start", stopped.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("Out of memory", stopped.StandardError + stopped.StandardOutput, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"Limits: at most (\d+) connections \(descriptor limit (\d+)\)")]
    private static partial Regex LimitsLine();

    [GeneratedRegex(@"Page:\s+(http://\S+)")]
    private static partial Regex PageLine();

    [GeneratedRegex(@"push MPEG-TS to tcp://127\.0\.0\.1:(\d+)")]
    private static partial Regex IngestLine();
}
