using System.Globalization;
using MediaServer.Cli;
using MediaServer.Live;
using MediaServer.Srt;
using MediaServer.Tests.Infrastructure;
using ZeroCopy;

namespace MediaServer.Tests.Live;

/// <summary>
/// SRT on a bad uplink: an encoder behind 2% loss and 20 ms delay each way (<see cref="LossyUdpRelay"/>) publishes
/// 8 Mbit/s for 60 s; SRT's retransmissions must deliver every TS packet into the ring.
/// </summary>
[Collection(nameof(RealTimeGroup))]
public sealed class SrtLossyLinkTests(ITestOutputHelper output)
{
    private const int Seconds = 60;
    // 25 round trips of this link: room for a retransmission to be lost and sent again, and for the in-process relay to
    // be late on a busy machine. (Two full-suite runs at 400 ms lost 3 packets to a late relay; alone it lost none.)
    private const int LatencyMs = 1000;

    private sealed class LossyServer : SrtServerFixture
    {
        internal override MediaServerOptions Configure(MediaServerOptions options) => base.Configure(options) with
        {
            SrtLatency = TimeSpan.FromMilliseconds(LatencyMs),
            LiveBufferSize = 128L << 20, // the whole minute stays in the ring
        };
    }

    [Fact]
    public async Task EveryPacketOfAnEightMegabitMinuteArrivesAcrossTwoPercentLoss()
    {
        var server = new LossyServer();
        await server.InitializeAsync();
        await using var link = LossyUdpRelay.Start(server.SrtEndPoint, loss: 0.02, delay: TimeSpan.FromMilliseconds(20));
        try
        {
            string url = $"srt://{link.EndPoint}?streamid=lossy?key={SrtServerFixture.AnyChannelKey}&latency={LatencyMs * 1000}&linger=5";
            using RunningTool publisher = ExternalTool.Start("ffmpeg",
            [
                // linger: SRT's live mode drops what is unacknowledged at close by default; an encoder stopping cleanly
                // waits for its last retransmissions instead.
                "-hide_banner", "-nostdin", "-loglevel", "warning", "-re", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25",
                "-t", Seconds.ToString(CultureInfo.InvariantCulture), "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency",
                "-g", "50", "-pix_fmt", "yuv420p", "-b:v", "7600k", "-minrate", "7600k", "-maxrate", "7600k", "-bufsize", "2M",
                "-x264-params", "nal-hrd=cbr", "-f", "mpegts", url,
            ]);
            LiveChannel channel = await LiveHelpers.WaitForChannelAsync(server, "lossy", publisher: publisher);
            LiveReader reader = channel.TryAddViewer(new SyncPoint(0)) ?? throw new InvalidOperationException("the channel is gone");
            var check = new ContinuityCheck();
            SrtLinkStatistics statistics = default;
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(Seconds + 60));
                while (true)
                {
                    LiveReadResult read = await reader.ReadAsync(timeout.Token);
                    check.Add(read.Buffer);
                    reader.AdvanceTo(read.Position + read.Buffer.Length);
                    statistics = channel.LinkStatistics?.Invoke() is { PacketsReceived: > 0 } now ? now : statistics;
                    if (read.IsCompleted)
                    {
                        break;
                    }
                }
            }
            finally
            {
                channel.RemoveViewer(reader);
            }

            string summary = $"{check.Packets} TS packets, {check.ContinuityErrors} continuity errors (first at packet {check.FirstErrorPacket}), {check.SyncErrors} sync errors; "
                + $"relay: {link.Forwarded} datagrams delivered, {link.Dropped} dropped; SRT: {statistics}";
            output.WriteLine(summary); // the figures for docs/benchmarks.md
            Assert.True(check.Packets * 188L >= Seconds * 8_000_000L / 8 * 9 / 10, "under 90% of 8 Mbit/s x 60 s arrived: " + summary);
            Assert.True(check.ContinuityErrors == 0 && check.SyncErrors == 0, summary);
            Assert.True(link.Dropped > 0 && statistics.PacketsLost > 0 && statistics.PacketsRetransmitted > 0, "the link lost nothing: the relay is not in the path. " + summary);
            Assert.True(statistics.PacketsDropped == 0, "SRT gave up on packets: " + summary);
            server.Logs.AssertNoFaults();
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    /// <summary>Counts TS packets and continuity counter gaps per PID (null packets aside) over the stream as it is read.</summary>
    private sealed class ContinuityCheck
    {
        private readonly int[] _last = Enumerable.Repeat(-1, 8192).ToArray();
        private readonly byte[] _carry = new byte[MpegTsPacket.Size];
        private int _carried;

        public long Packets { get; private set; }

        public int ContinuityErrors { get; private set; }

        public int SyncErrors { get; private set; }

        /// <summary>The packet number of the first continuity error (near the end: the encoder's close; in the middle: a loss).</summary>
        public long? FirstErrorPacket { get; private set; }

        public void Add(System.Buffers.ReadOnlySequence<byte> buffer)
        {
            foreach (ReadOnlyMemory<byte> piece in buffer)
            {
                ReadOnlySpan<byte> span = piece.Span;
                if (_carried > 0)
                {
                    int take = Math.Min(MpegTsPacket.Size - _carried, span.Length);
                    span[..take].CopyTo(_carry.AsSpan(_carried));
                    _carried += take;
                    span = span[take..];
                    if (_carried < MpegTsPacket.Size)
                    {
                        continue;
                    }

                    Check(_carry);
                    _carried = 0;
                }

                for (; span.Length >= MpegTsPacket.Size; span = span[MpegTsPacket.Size..])
                {
                    Check(span[..MpegTsPacket.Size]);
                }

                span.CopyTo(_carry);
                _carried = span.Length;
            }
        }

        private void Check(ReadOnlySpan<byte> bytes)
        {
            Packets++;
            if (!MpegTsPacket.TryParse(bytes, out MpegTsPacket packet))
            {
                SyncErrors++;
                return;
            }

            if (packet.Pid == MpegTsPacket.NullPid || !packet.HasPayload)
            {
                return;
            }

            int last = _last[packet.Pid];
            if (last >= 0 && packet.ContinuityCounter != ((last + 1) & 0x0F))
            {
                ContinuityErrors++;
                FirstErrorPacket ??= Packets;
            }

            _last[packet.Pid] = packet.ContinuityCounter;
        }
    }
}
