using System.Buffers;
using ZeroCopy;

namespace MediaServer.Live.Hls;

/// <summary>
/// Finds where to cut parts in bytes the segmenter did not see arrive: the history of the segment that is open when it
/// starts on a running channel. Wall-clock cuts are impossible there, so the cuts follow the stream's own clock: the
/// decode time stamps of the programme's main stream (its video), at the first PES that starts a part interval later.
/// </summary>
/// <remarks>
/// The programme is followed by the library's <see cref="MpegTsProgramTracker"/> (the newest valid PAT and PMT in force,
/// damaged packets dropped), as the live detector and the VOD index follow it.
/// Reads the range through a <see cref="LiveReader"/>, so it sees the ring's bytes in place and is cut off, rather than
/// torn, if the writer reclaims them. The range is published, so every read completes at once: the scan runs under the
/// segmenter's lock without waiting. Once per segmenter, O(range length).
/// </remarks>
internal static class HlsHistoryTimer
{
    private const int PacketSize = MpegTsPacket.Size;

    /// <summary>A place to cut: the ring position of a PES start, and its media time since the range's first one.</summary>
    public readonly record struct Cut(long Position, TimeSpan Time);

    /// <summary>
    /// The cuts of <c>[start, end)</c> about every <paramref name="interval"/> of media time, and the media time of the
    /// range's last PES (where its bytes end, as near as the stream tells).
    /// </summary>
    /// <returns><see langword="false"/> when the range has no time stamps or was reclaimed while it was read.</returns>
    public static bool TryFindCuts(LiveCache cache, long start, ReadOnlyMemory<byte> preamble, long end, TimeSpan interval, List<Cut> cuts, out TimeSpan lastTime)
    {
        lastTime = TimeSpan.Zero;
        var scan = new Scan(interval, cuts);
        scan.Inspect(preamble.Span, start);
        try
        {
            using LiveReader reader = cache.CreateReader(new SyncPoint(start));
            Span<byte> straddling = stackalloc byte[PacketSize];
            long position = start;
            while (position + PacketSize <= end)
            {
                ValueTask<LiveReadResult> read = reader.ReadAsync();
                if (!read.IsCompletedSuccessfully)
                {
                    return false; // Not published after all: nothing to wait for under the lock.
                }

                LiveReadResult result = read.Result;
                if (result.SkippedBytes > 0 || result.Buffer.IsEmpty)
                {
                    return false;
                }

                ReadOnlySequence<byte> buffer = result.Buffer;
                long available = Math.Min(buffer.Length, end - position) / PacketSize * PacketSize;
                for (long offset = 0; offset < available; offset += PacketSize)
                {
                    ReadOnlySequence<byte> packet = buffer.Slice(offset, PacketSize);
                    ReadOnlySpan<byte> bytes = packet.IsSingleSegment ? packet.FirstSpan : Copy(packet, straddling);
                    scan.Inspect(bytes, position + offset);
                }

                position += available;
                reader.AdvanceTo(position);
            }
        }
        catch (LiveReaderLappedException)
        {
            return false;
        }

        lastTime = scan.LastTime;
        return scan.HasTime;
    }

    private static ReadOnlySpan<byte> Copy(ReadOnlySequence<byte> packet, Span<byte> scratch)
    {
        packet.CopyTo(scratch);
        return scratch;
    }

    /// <summary>The state of one pass over the packets: the programme (PAT, PMT, main stream), the first and last times.</summary>
    private sealed class Scan(TimeSpan interval, List<Cut> cuts)
    {
        private readonly MpegTsProgramTracker _program = new();
        private long? _firstDts;
        private long _lastDts;

        public bool HasTime => _firstDts is not null;

        public TimeSpan LastTime => _firstDts is long first ? MpegTsPesHeader.ToTimeSpan(_lastDts - first) : TimeSpan.Zero;

        /// <summary>Takes in whole packets (a preamble's tables, or one packet of the range at <paramref name="position"/>).</summary>
        public void Inspect(ReadOnlySpan<byte> packets, long position)
        {
            for (int offset = 0; offset + PacketSize <= packets.Length; offset += PacketSize)
            {
                if (_program.Track(packets.Slice(offset, PacketSize), out MpegTsPacket packet) == MpegTsPacketKind.Stream && packet.PayloadUnitStart
                    && MpegTsPesHeader.TryRead(packet.Payload, out MpegTsPesHeader header) && (header.Dts ?? header.Pts) is long stamp)
                {
                    OnTimestamp(stamp, position + offset);
                }
            }
        }

        private void OnTimestamp(long stamp, long position)
        {
            if (_firstDts is not long first)
            {
                _firstDts = _lastDts = stamp;
                return;
            }

            _lastDts = MpegTsPesHeader.UnwrapTimestamp(stamp, _lastDts);
            TimeSpan time = MpegTsPesHeader.ToTimeSpan(_lastDts - first);
            TimeSpan previous = cuts.Count > 0 ? cuts[^1].Time : TimeSpan.Zero;
            if (time - previous >= interval)
            {
                cuts.Add(new Cut(position, time));
            }
        }
    }
}
