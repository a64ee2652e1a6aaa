using System.Globalization;
using System.Net.Http;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using MediaServer.Live;
using MediaServer.Tests.Infrastructure;
using ZeroCopy;

namespace MediaServer.Tests.Server;

/// <summary>
/// A segment's <c>EXT-X-PROGRAM-DATE-TIME</c> is when its keyframe was published, also for the history a segmenter lists
/// when it starts on a running channel: a player's latency (now minus the date of the frame on screen) is never negative.
/// The history's complete segments are listed whole, and the segment open at the start gets parts at once.
/// </summary>
public sealed partial class HlsProgramDateTests(QuickHlsFixture server) : IClassFixture<QuickHlsFixture>, IDisposable
{
    private static readonly TimeSpan s_printedPrecision = TimeSpan.FromMilliseconds(20); // dates are printed to the millisecond

    public void Dispose() => server.Logs.AssertNoFaults();

    [Fact]
    public async Task HistoryIsDatedWhenItWasPublishedAndLiveSegmentsWhenTheirKeyframeArrived()
    {
        byte[] stream = MediaFiles.Bytes(MediaFiles.TransportStream);
        DateTimeOffset historyStarted = DateTimeOffset.UtcNow;
        int pushed = 64 * 1024;
        using Socket publisher = await LiveHelpers.PublishRawAsync(server, stream, pushed);
        DateTimeOffset historyPublished = DateTimeOffset.UtcNow;

        // The first playlist request starts the segmenter a second after the last history byte.
        await Task.Delay(TimeSpan.FromSeconds(1));
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        DateTimeOffset segmenterStarted = DateTimeOffset.UtcNow;
        string history = await client.GetStringAsync(HlsHelpers.Playlist(server.BaseUri, ChannelName.TcpIngest));

        List<DateTimeOffset> historyDates = ProgramDates(history);
        Assert.True(historyDates.Count >= 2, $"the history lists {historyDates.Count} segments:\n{history}");
        AssertBetween(historyDates, historyStarted, historyPublished, history);

        // The complete segments of the history are listed whole; the one still open has parts up to the live edge.
        int lastSegment = history.LastIndexOf("#EXTINF:", StringComparison.Ordinal);
        int firstPart = history.IndexOf("#EXT-X-PART:", StringComparison.Ordinal);
        Assert.True(lastSegment >= 0 && firstPart > lastSegment, $"parts listed for complete history segments, or none for the open one:\n{history}");
        Assert.Contains("INDEPENDENT=YES", history[firstPart..], StringComparison.Ordinal);
        Assert.Contains("#EXT-X-PRELOAD-HINT", history, StringComparison.Ordinal);

        // Its history parts are cut on the stream's clock: each a part interval of media or a frame more, at most
        // PART-TARGET, and together a run of the stream's bytes (after the first part's tables). Each part's listed
        // duration is the media between its first video time stamp and the next part's.
        List<(double Duration, string Uri)> parts = [.. Part().Matches(history).Select(m => (double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), m.Groups[2].Value))];
        Assert.True(parts.Count >= 2, $"{parts.Count} history parts:\n{history}");
        Assert.All(parts, part => Assert.InRange(part.Duration, QuickHlsFixture.Hls.PartInterval.TotalSeconds, QuickHlsFixture.Hls.PartTarget.TotalSeconds));
        var tiled = new List<byte>();
        var firstStamps = new List<long>();
        var video = new VideoStamps();
        foreach ((_, string uri) in parts)
        {
            byte[] body = await client.GetByteArrayAsync(new Uri(HlsHelpers.Playlist(server.BaseUri, ChannelName.TcpIngest), uri));
            tiled.AddRange(body);
            firstStamps.Add(video.First(body) ?? throw new Xunit.Sdk.XunitException($"{uri}: no video time stamp"));
        }

        HlsHelpers.AssertIsPartOfTheStream([.. tiled], stream);
        for (int i = 0; i + 1 < parts.Count; i++)
        {
            double media = (firstStamps[i + 1] - firstStamps[i]) / (double)MpegTsPesHeader.ClockRate;
            Assert.True(Math.Abs(media - parts[i].Duration) < 0.001, $"part {i} is listed as {parts[i].Duration} s and holds {media} s of video:\n{history}");
        }

        // Live: every keyframe published from now on starts a segment dated when it arrived, with parts.
        pushed = await LiveHelpers.PushPacedAsync(publisher, stream, pushed, 160 * 1024);
        await LiveHelpers.WaitForChannelAsync(server, ChannelName.TcpIngest, minBytes: pushed);
        (string live, _, _, _) = await HlsHelpers.WaitForPreloadHintAsync(client, HlsHelpers.Playlist(server.BaseUri, ChannelName.TcpIngest));
        DateTimeOffset livePublished = DateTimeOffset.UtcNow;
        List<DateTimeOffset> dates = ProgramDates(live);
        List<DateTimeOffset> liveDates = [.. dates.Where(date => date > historyPublished + s_printedPrecision)];
        Assert.True(liveDates.Count >= 2, $"{liveDates.Count} segments dated after the history:\n{live}");
        AssertBetween(liveDates, segmenterStarted, livePublished, live);
        Assert.Contains("#EXT-X-PART:", live, StringComparison.Ordinal);

        await LiveHelpers.EndRawPublishAsync(server, publisher);
    }

    /// <summary>The video's first decode time stamp in each of a run of transport stream pieces (PAT and PMT come first).</summary>
    private sealed class VideoStamps
    {
        private int _pmtPid = -1;
        private int _videoPid = -1;

        public long? First(byte[] packets)
        {
            for (int offset = 0; offset + MpegTsPacket.Size <= packets.Length; offset += MpegTsPacket.Size)
            {
                if (!MpegTsPacket.TryParse(packets.AsSpan(offset, MpegTsPacket.Size), out MpegTsPacket packet) || !packet.PayloadUnitStart)
                {
                    continue;
                }

                if (packet.Pid == 0 && MpegTsTables.TryReadPat(packet.Payload, out int pmtPid))
                {
                    _pmtPid = pmtPid;
                }
                else if (packet.Pid == _pmtPid && MpegTsTables.TryReadPmt(packet.Payload, out int videoPid, out _))
                {
                    _videoPid = videoPid;
                }
                else if (packet.Pid == _videoPid && MpegTsPesHeader.TryRead(packet.Payload, out MpegTsPesHeader header) && (header.Dts ?? header.Pts) is long stamp)
                {
                    return stamp;
                }
            }

            return null;
        }
    }

    /// <summary>Each date within [<paramref name="from"/>, <paramref name="to"/>], none before the one listed above it.</summary>
    private static void AssertBetween(List<DateTimeOffset> dates, DateTimeOffset from, DateTimeOffset to, string playlist)
    {
        for (int i = 0; i < dates.Count; i++)
        {
            Assert.True(
                dates[i] >= from - s_printedPrecision && dates[i] <= to + s_printedPrecision,
                $"segment {i} dated {dates[i]:HH:mm:ss.fff}, outside {from:HH:mm:ss.fff}-{to:HH:mm:ss.fff}:\n{playlist}");
            Assert.True(i == 0 || dates[i] >= dates[i - 1], $"segment {i} dated before segment {i - 1}:\n{playlist}");
        }
    }

    private static List<DateTimeOffset> ProgramDates(string playlist) =>
        [.. ProgramDate().Matches(playlist).Select(m => DateTimeOffset.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture))];

    [GeneratedRegex("#EXT-X-PART:DURATION=([0-9.]+),URI=\"([^\"]+)\"")]
    private static partial Regex Part();

    [GeneratedRegex(@"#EXT-X-PROGRAM-DATE-TIME:(\S+)")]
    private static partial Regex ProgramDate();
}
