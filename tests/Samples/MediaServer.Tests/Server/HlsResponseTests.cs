using System.Globalization;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using MediaServer.Live;
using MediaServer.Tests.Infrastructure;

namespace MediaServer.Tests.Server;

/// <summary>
/// How HLS answers leave the server: a part's head and preamble in one send, held back by the cork until the ring's bytes
/// join them; a playlist in one send with its head; a held request that times out answered 503 on a connection that goes
/// on serving. Every answer is read off one kept-alive connection, so a byte too many or too few breaks the next.
/// </summary>
public sealed partial class HlsResponseTests(QuickHlsFixture server) : IClassFixture<QuickHlsFixture>, IDisposable
{
    private const int PacketSize = 188;
    private static readonly string s_channel = $"/live/{ChannelName.TcpIngest}/";
    private static readonly byte[] s_clip = MediaFiles.Bytes(MediaFiles.TransportStream);

    public void Dispose() => server.Logs.AssertNoFaults();

    [Fact]
    public async Task PartsAndSegmentsArriveAsTheirHeadThenThePreambleThenTheRingBytesOneAfterAnotherOnOneConnection()
    {
        // The clip without its repeated tables: each keyframe's sync point then carries a preamble (the first PAT and PMT).
        byte[] stream = WithTablesOnlyAtTheStart(s_clip);
        int pushed = 40 * 1024;
        using Socket publisher = await LiveHelpers.PublishRawAsync(server, stream, pushed);
        using RawHttpConnection viewer = await RawHttpConnection.ConnectAsync(server.HttpEndPoint);
        await GetAsync(viewer, s_channel + "index.m3u8"); // Starts the segmenter: parts are cut from now on.

        // About 1.5 times real time (the clip is 17.5 KiB/s): a segment of a second spans two or three 250 ms parts.
        await LiveHelpers.PushPacedAsync(publisher, stream, pushed, 150 * 1024, TimeSpan.FromMilliseconds(300));

        string playlist = (await GetAsync(viewer, s_channel + "index.m3u8")).Text;
        List<string> parts = [.. PartUri().Matches(playlist).Select(m => m.Groups[1].Value)];
        string firstPart = parts.FirstOrDefault(p => p.EndsWith(".0.ts", StringComparison.Ordinal)) ?? throw new Xunit.Sdk.XunitException($"no first part listed:\n{playlist}");
        string laterPart = parts.FirstOrDefault(p => !p.EndsWith(".0.ts", StringComparison.Ordinal)) ?? throw new Xunit.Sdk.XunitException($"no later part listed:\n{playlist}");
        string segment = HlsHelpers.Segments(playlist)[^1];
        byte[] tables = stream[PacketSize..(3 * PacketSize)]; // The PAT and the PMT, packets 1 and 2 of the clip.

        foreach (string uri in new[] { firstPart, laterPart, segment, firstPart })
        {
            RawResponse answer = await GetAsync(viewer, s_channel + uri);
            Assert.Equal("video/mp2t", answer.Header("Content-Type"));
            Assert.Equal(answer.Body.Length.ToString(CultureInfo.InvariantCulture), answer.Header("Content-Length"));
            bool startsSegment = uri == segment || uri == firstPart;
            byte[] ringBytes = startsSegment ? answer.Body[tables.Length..] : answer.Body;
            if (startsSegment)
            {
                Assert.Equal(tables, answer.Body[..tables.Length]);
            }

            Assert.True(ringBytes.Length > 0 && ringBytes.Length % PacketSize == 0, $"{uri}: {ringBytes.Length} ring bytes are not whole packets");
            Assert.True(stream.AsSpan().IndexOf(ringBytes) >= 0, $"{uri}: the {ringBytes.Length} bytes after the preamble are not the stream's");
        }

        // HEAD: the same head, no body (the next answer on the connection would show one).
        await viewer.SendAsync(RawHttpConnection.Request("HEAD", s_channel + laterPart));
        RawResponse head = await viewer.ReadResponseAsync(isHead: true);
        Assert.Equal(200, head.Status);
        Assert.True(long.Parse(head.Header("Content-Length"), CultureInfo.InvariantCulture) > 0, head.Head);
        Assert.Contains("#EXTM3U", (await GetAsync(viewer, s_channel + "index.m3u8")).Text, StringComparison.Ordinal);

        await LiveHelpers.EndRawPublishAsync(server, publisher);
    }

    [Fact]
    public async Task APlaylistLeavesWithItsHeadInOneSend()
    {
        using Socket publisher = await LiveHelpers.PublishRawAsync(server, s_clip, 64 * 1024);
        using RawHttpConnection viewer = await RawHttpConnection.ConnectAsync(server.HttpEndPoint);

        // The kernel's count of data segments received: a head sent alone, then its body, would be two.
        await GetAsync(viewer, s_channel + "index.m3u8");
        for (int answers = 0; answers < 3; answers++)
        {
            long before = TcpInfo.DataSegmentsReceived(viewer.Socket);
            RawResponse answer = await GetAsync(viewer, s_channel + "index.m3u8");
            long segments = TcpInfo.DataSegmentsReceived(viewer.Socket) - before;

            Assert.StartsWith("#EXTM3U\n", answer.Text, StringComparison.Ordinal);
            Assert.True(segments == 1, $"the playlist ({answer.Head.Length} bytes of head, {answer.Body.Length} of body) came in {segments} segments");
        }

        await LiveHelpers.EndRawPublishAsync(server, publisher);
    }

    [Fact]
    public async Task HeldRequestsThatTimeOutAre503AndTheConnectionServesTheNextRequest()
    {
        int pushed = 40 * 1024;
        using Socket publisher = await LiveHelpers.PublishRawAsync(server, s_clip, pushed);
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        await client.GetStringAsync(HlsHelpers.Playlist(server.BaseUri, ChannelName.TcpIngest));
        pushed = await LiveHelpers.PushPacedAsync(publisher, s_clip, pushed, 160 * 1024);
        await LiveHelpers.WaitForChannelAsync(server, ChannelName.TcpIngest, minBytes: pushed); // All published: nothing changes from now on.
        (_, string hint, long msn, _) = await HlsHelpers.WaitForPreloadHintAsync(client, HlsHelpers.Playlist(server.BaseUri, ChannelName.TcpIngest));

        // The publisher stays connected and sends nothing more: the next segment and the hinted part never come.
        using RawHttpConnection viewer = await RawHttpConnection.ConnectAsync(server.HttpEndPoint);
        var held = TimeSpan.FromSeconds(30);
        DateTime start = DateTime.UtcNow;
        RawResponse reload = await GetAsync(viewer, $"{s_channel}index.m3u8?_HLS_msn={msn + 1}", expected: 503, held);
        TimeSpan waited = DateTime.UtcNow - start;
        RawResponse part = await GetAsync(viewer, s_channel + hint, expected: 503, held);
        RawResponse plain = await GetAsync(viewer, s_channel + "index.m3u8");

        Assert.InRange(waited, QuickHlsFixture.Hls.MaxBlock - TimeSpan.FromMilliseconds(100), QuickHlsFixture.Hls.MaxBlock + TimeSpan.FromSeconds(5));
        Assert.Contains($"segment {msn + 1} did not come within", reload.Text, StringComparison.Ordinal);
        Assert.Contains("the part did not come in time", part.Text, StringComparison.Ordinal);
        Assert.Contains(hint, plain.Text, StringComparison.Ordinal);

        await LiveHelpers.EndRawPublishAsync(server, publisher);
    }

    [Fact]
    public async Task APlaylistRequestOnAChannelWithoutACompleteSegmentIsHeldUntilOneIsThenAnswered()
    {
        // Less than a segment target of the clip (17.5 KiB/s): one keyframe, no complete segment.
        int pushed = 4 * 1024;
        using Socket publisher = await LiveHelpers.PublishRawAsync(server, s_clip, pushed);
        using RawHttpConnection viewer = await RawHttpConnection.ConnectAsync(server.HttpEndPoint);

        // Nothing more comes: held for MaxBlock, then 503 on a connection that goes on serving.
        RawResponse early = await GetAsync(viewer, s_channel + "index.m3u8", expected: 503, TimeSpan.FromSeconds(30));
        Assert.Contains("first segment did not come within", early.Text, StringComparison.Ordinal);

        // The next request is held while the stream goes on, and answered once a segment is complete.
        await viewer.SendAsync(RawHttpConnection.Request("GET", s_channel + "index.m3u8"));
        Task<RawResponse> held = viewer.ReadResponseAsync(timeout: TimeSpan.FromSeconds(30));
        await LiveHelpers.PushPacedAsync(publisher, s_clip, pushed, 40 * 1024);
        RawResponse answered = await held;
        Assert.Equal(200, answered.Status);
        Assert.NotEmpty(HlsHelpers.Segments(answered.Text));

        await LiveHelpers.EndRawPublishAsync(server, publisher);
    }

    private static async Task<RawResponse> GetAsync(RawHttpConnection connection, string target, int expected = 200, TimeSpan? timeout = null)
    {
        await connection.SendAsync(RawHttpConnection.Request("GET", target));
        RawResponse response = await connection.ReadResponseAsync(timeout: timeout);
        Assert.True(response.Status == expected, $"GET {target}: expected {expected}, got {response.Status}\n{response.Head}\n{response.Text}");
        return response;
    }

    /// <summary>The stream with its PAT (PID 0) and PMT packets kept only the first time each appears.</summary>
    private static byte[] WithTablesOnlyAtTheStart(byte[] stream)
    {
        var kept = new MemoryStream(stream.Length);
        int pmtPid = -1;
        bool patSeen = false, pmtSeen = false;
        for (int offset = 0; offset + PacketSize <= stream.Length; offset += PacketSize)
        {
            ReadOnlySpan<byte> packet = stream.AsSpan(offset, PacketSize);
            int pid = ((packet[1] & 0x1F) << 8) | packet[2];
            if (pid == 0)
            {
                if (patSeen)
                {
                    continue;
                }

                patSeen = true;
                pmtPid = ((packet[15] & 0x1F) << 8) | packet[16]; // The first programme's PMT PID (pointer field 0, one section).
            }
            else if (pid == pmtPid)
            {
                if (pmtSeen)
                {
                    continue;
                }

                pmtSeen = true;
            }

            kept.Write(packet);
        }

        byte[] result = kept.ToArray();
        Assert.True(patSeen && pmtSeen && result.Length < stream.Length, "the clip should repeat its PAT and PMT");
        return result;
    }

    [GeneratedRegex("#EXT-X-PART:[^\\n]*URI=\"([^\"]+)\"")]
    private static partial Regex PartUri();

}
