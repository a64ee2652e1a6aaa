using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using MediaServer.Cli;
using MediaServer.Live;
using MediaServer.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace MediaServer.Tests.Server;

/// <summary>
/// What a Low-Latency HLS viewer's requests cost the server's heap once its channel has parts: the playlist, a blocking
/// reload (<c>?_HLS_msn=…&amp;_HLS_part=…</c>, its query parsed into the connection's dictionary), a part and a segment
/// asked for again and again on a kept-alive connection (a player polls and refetches; a thousand viewers ask
/// for the same ones), counted over the whole process by <see cref="AllocationMeter"/>, alone after the suite.
/// </summary>
[Collection(nameof(AllocationGroup))]
public sealed partial class HlsRequestAllocationTests(HlsRequestAllocationTests.QuietHlsFixture server, ITestOutputHelper output)
    : IClassFixture<HlsRequestAllocationTests.QuietHlsFixture>, IDisposable
{
    private static readonly string s_channel = $"/live/{ChannelName.TcpIngest}/";

    /// <summary>
    /// Half-second segments (parts are cut within a few seconds of pushing), nothing logged per request, and a quiet
    /// publisher kept for 5 minutes (not the default 30 s), however long the windows take on a busy machine.
    /// </summary>
    public sealed class QuietHlsFixture : ServerFixture
    {
        internal override MediaServerOptions Configure(MediaServerOptions options) =>
            options with { Hls = QuickHlsFixture.Hls, IngestIdleTimeout = TimeSpan.FromMinutes(5) };

        protected override LogLevel MinimumLogLevel => LogLevel.Warning;
    }

    public void Dispose() => server.Logs.AssertNoFaults();

    [Fact]
    public async Task ThePlaylistABlockingReloadAPartAndASegmentAskedForAgainAllocateNothing()
    {
        byte[] clip = MediaFiles.Bytes(MediaFiles.TransportStream);
        int pushed = 40 * 1024;
        using Socket publisher = await LiveHelpers.PublishRawAsync(server, clip, pushed);
        using RawHttpConnection viewer = await RawHttpConnection.ConnectAsync(server.HttpEndPoint);
        await viewer.SendAsync(RawHttpConnection.Request("GET", s_channel + "index.m3u8")); // Starts the segmenter.
        Assert.Equal(200, (await viewer.ReadResponseAsync()).Status);
        await LiveHelpers.PushPacedAsync(publisher, clip, pushed, 150 * 1024, TimeSpan.FromMilliseconds(300));

        // The publisher stays connected and quiet: the playlist and the ring hold still while they are measured.
        await viewer.SendAsync(RawHttpConnection.Request("GET", s_channel + "index.m3u8"));
        string playlist = (await viewer.ReadResponseAsync()).Text;
        string part = PartUri().Matches(playlist).Select(m => m.Groups[1].Value).FirstOrDefault(p => !p.EndsWith(".0.ts", StringComparison.Ordinal))
            ?? throw new Xunit.Sdk.XunitException($"no later part listed:\n{playlist}");
        string segment = HlsHelpers.Segments(playlist)[^1];

        using Socket socket = AllocationMeter.Connect(server.HttpEndPoint);
        var results = new List<(string Target, double[] Windows)>();
        long msn = long.Parse(Regex.Match(playlist, @"#EXT-X-MEDIA-SEQUENCE:(\d+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        foreach (string target in new[] { "index.m3u8", part, segment, $"index.m3u8?_HLS_msn={msn}&_HLS_part=0" })
        {
            byte[] request = Encoding.ASCII.GetBytes(RawHttpConnection.Request("GET", s_channel + target));
            byte[] response = new byte[AllocationMeter.ResponseLength(socket, request, expectedStatus: 200)];
            results.Add((target, await Task.Run(() => AllocationMeter.Measure(bound: 1, () => AllocationMeter.Exchange(socket, request, request.Length, response, response.Length)))));
            output.WriteLine($"GET {s_channel}{target}, {response.Length} bytes a response: {AllocationMeter.Format(results[^1].Windows)}");
        }

        await LiveHelpers.EndRawPublishAsync(server, publisher);
        Assert.All(results, result => Assert.True(result.Windows[^1] <= 1, $"{result.Target}: {AllocationMeter.Format(result.Windows)}"));
    }

    [GeneratedRegex("#EXT-X-PART:[^\\n]*URI=\"([^\"]+)\"")]
    private static partial Regex PartUri();
}
