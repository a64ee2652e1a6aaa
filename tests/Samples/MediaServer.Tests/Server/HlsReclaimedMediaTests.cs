using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using MediaServer.Live;
using MediaServer.Tests.Infrastructure;

namespace MediaServer.Tests.Server;

/// <summary>
/// The HLS window slides with a small ring: a segment or part the writer has reclaimed is answered 410, one that never
/// existed 404, and one still in the ring with exactly the stream's bytes — never other bytes; <c>GET /live</c> reports
/// the window that is left.
/// </summary>
public sealed partial class HlsReclaimedMediaTests(SmallRingFixture server) : IClassFixture<SmallRingFixture>, IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    public void Dispose() => server.Logs.AssertNoFaults();

    [Fact]
    public async Task ASegmentAndAPartTheRingReclaimedAre410OneNeverMadeIs404AndTheListReportsTheWindowLeft()
    {
        // The sample clip (526 KiB, a keyframe a second) is twice the ring: pushed whole, it laps the ring.
        byte[] clip = MediaFiles.Bytes(MediaFiles.TransportStream);
        Assert.True(clip.Length > 2 * SmallRingFixture.RingSize, $"the clip ({clip.Length} bytes) must be over twice the ring");
        using var publisher = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await publisher.ConnectAsync(server.Server.IngestEndPoint);
        using var client = new HttpClient { Timeout = s_timeout };
        Uri playlist = HlsHelpers.Playlist(server.BaseUri, ChannelName.TcpIngest);

        // The first 40 KiB, then the segmenter starts (on the first playlist request); then the push goes on slowly
        // enough for parts to be cut (every 250 ms), up to half the ring. The first request is held until the channel has
        // a complete segment, so the push goes on meanwhile: whether 40 KiB already close one depends on when the
        // segmenter's first part is cut against its reading of the history.
        int pushed = await LiveHelpers.PushPacedAsync(publisher, clip, 0, 40 * 1024);
        await LiveHelpers.WaitForChannelAsync(server, ChannelName.TcpIngest, minBytes: pushed);
        Task<string> first = client.GetStringAsync(playlist);
        pushed = await LiveHelpers.PushPacedAsync(publisher, clip, pushed, SmallRingFixture.RingSize / 2);
        await first;
        string early = await client.GetStringAsync(playlist);
        string segment = HlsHelpers.Segments(early)[0];
        string part = PartUri().Match(early) is { Success: true } match ? match.Groups[1].Value : throw new Xunit.Sdk.XunitException($"no part listed:\n{early}");

        // While the ring holds them, they are the stream's own bytes (after a preamble of PAT and PMT, if any).
        HlsHelpers.AssertIsPartOfTheStream(await client.GetByteArrayAsync(new Uri(playlist, segment)), clip);
        HlsHelpers.AssertIsPartOfTheStream(await client.GetByteArrayAsync(new Uri(playlist, part)), clip);

        // The rest laps the ring: both are reclaimed.
        await LiveHelpers.PushPacedAsync(publisher, clip, pushed, clip.Length);
        LiveChannel channel = await LiveHelpers.WaitForChannelAsync(server, ChannelName.TcpIngest, minBytes: clip.Length);
        Assert.True(channel.Cache.OldestPosition > SmallRingFixture.RingSize / 2, $"the ring kept {channel.Cache.OldestPosition}");
        string late = await WaitForPlaylistWithoutAsync(client, playlist, segment);

        using HttpResponseMessage goneSegment = await client.GetAsync(new Uri(playlist, segment));
        using HttpResponseMessage gonePart = await client.GetAsync(new Uri(playlist, part));
        (string epoch, long newest) = ParseSegment(HlsHelpers.Segments(late)[^1]);
        using HttpResponseMessage neverMade = await client.GetAsync(new Uri(playlist, $"{epoch}-{newest + 50}.ts"));
        using HttpResponseMessage noSuchPart = await client.GetAsync(new Uri(playlist, $"{epoch}-{newest}.99.ts"));
        using HttpResponseMessage negative = await client.GetAsync(new Uri(playlist, $"{epoch}--1.ts"));

        Assert.Equal(HttpStatusCode.Gone, goneSegment.StatusCode);
        Assert.Equal(HttpStatusCode.Gone, gonePart.StatusCode);
        Assert.NotEqual("video/mp2t", goneSegment.Content.Headers.ContentType?.MediaType);
        Assert.NotEqual("video/mp2t", gonePart.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, neverMade.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, noSuchPart.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, negative.StatusCode);
        Assert.DoesNotContain(segment, late, StringComparison.Ordinal);
        Assert.DoesNotContain(part, late, StringComparison.Ordinal);
        Assert.Matches("#EXT-X-MEDIA-SEQUENCE:[1-9]", late);

        // What the window still lists is still the stream's bytes.
        HlsHelpers.AssertIsPartOfTheStream(await client.GetByteArrayAsync(new Uri(playlist, HlsHelpers.Segments(late)[^1])), clip);

        // The list reports the window's real duration (its segments' EXTINF, added up) and the bit rate over it: less than
        // the clip's 30 s, since the ring holds under half the clip.
        string now = await client.GetStringAsync(playlist);
        using JsonDocument list = JsonDocument.Parse(await client.GetStringAsync(new Uri(server.BaseUri, "live")));
        JsonElement listed = list.RootElement.EnumerateArray().Single(c => c.GetProperty("name").GetString() == ChannelName.TcpIngest);
        double window = listed.GetProperty("window").GetDouble();
        double extinf = SegmentDuration().Matches(now).Sum(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
        Assert.InRange(window, extinf - 0.01, extinf + 0.01);
        Assert.InRange(window, 2, 15);
        Assert.InRange(listed.GetProperty("bitrate").GetInt64(), 100_000, 200_000); // the clip: 526 KiB in 30 s, 144 kbit/s

        publisher.Shutdown(SocketShutdown.Send);
        await LiveHelpers.WaitForChannelGoneAsync(server, ChannelName.TcpIngest);
    }

    /// <summary>Reloads the playlist until the segmenter has slid its window past <paramref name="segment"/>.</summary>
    private static async Task<string> WaitForPlaylistWithoutAsync(HttpClient client, Uri playlist, string segment)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            string text = await client.GetStringAsync(playlist, timeout.Token);
            if (!text.Contains(segment, StringComparison.Ordinal))
            {
                return text;
            }

            await Task.Delay(100, timeout.Token);
        }
    }

    private static (string Epoch, long Msn) ParseSegment(string uri)
    {
        Match match = SegmentName().Match(uri);
        Assert.True(match.Success, $"unexpected segment URI {uri}");
        return (match.Groups[1].Value, long.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture));
    }

    [GeneratedRegex("#EXT-X-PART:[^\\n]*URI=\"([^\"]+)\"")]
    private static partial Regex PartUri();

    [GeneratedRegex("#EXTINF:([0-9.]+),")]
    private static partial Regex SegmentDuration();

    [GeneratedRegex("^([0-9a-f]+)-(\\d+)\\.ts$")]
    private static partial Regex SegmentName();
}
