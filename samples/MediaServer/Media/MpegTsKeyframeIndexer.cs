using System.Buffers;
using ZeroCopy;

namespace MediaServer.Media;

/// <summary>
/// Builds a <see cref="KeyframeIndex"/> for an MPEG transport stream (188-byte packets, or 192-byte M2TS packets) with the
/// library's MPEG-TS reader: the PAT names the PMT, the PMT names the first video stream (<see cref="MpegTsStreamTypes"/>),
/// and every PES of that stream that starts with a random-access point (the adaptation field's flag, or an IDR/IRAP first
/// picture found by <see cref="MpegTsKeyframeScanner"/>) is a keyframe at the PES's presentation time stamp.
/// </summary>
/// <remarks>
/// The programme is followed by the library's <see cref="MpegTsProgramTracker"/>, with its rules: the newest valid PAT and
/// PMT are in force (a PMT that moves the video stream is followed), and a damaged packet (lost sync, or marked in error) is
/// dropped and the tables kept, so one bad packet costs at most the keyframe it was part of (a bad PAT: the next keyframe
/// starts at its own packet), not the file's index.
/// A keyframe's offset is the PAT that precedes it when the muxer repeated PAT and PMT just before it (as ffmpeg does):
/// a reader that starts there can decode without any earlier byte. Otherwise it is the keyframe's own packet, and the index's
/// <see cref="KeyframeIndex.TransportStream"/> says where the first PMT ends (what HLS's <c>EXT-X-MAP</c> names). The keyframes
/// are the ones the live path's <see cref="MpegTsSyncPointDetector"/> finds, by the same code.
/// One pass over the packets: O(file size).
/// </remarks>
internal static class MpegTsKeyframeIndexer
{
    private const int PacketSize = MpegTsPacket.Size;

    /// <summary>Indexes the transport stream held in <paramref name="cache"/>.</summary>
    /// <exception cref="InvalidDataException">The file does not start with transport stream packets, or has no video keyframes
    /// with time stamps.</exception>
    public static KeyframeIndex Build(VideoCache cache)
    {
        int stride = DetectStride(cache);
        int prefix = stride - PacketSize;
        Span<byte> scratch = stackalloc byte[PacketSize];
        var builder = new IndexBuilder(stride);
        for (long position = 0; position + stride <= cache.Capacity; position += stride)
        {
            builder.Add(Read(cache, position + prefix, scratch), position);
        }

        return builder.ToIndex();
    }

    private static int DetectStride(VideoCache cache)
    {
        foreach (int stride in (ReadOnlySpan<int>)[188, 192])
        {
            int prefix = stride - PacketSize;
            int packets = (int)Math.Min(3, cache.Capacity / stride);
            bool synced = packets > 0;
            for (int i = 0; i < packets && synced; i++)
            {
                synced = cache.ReadSlice(((long)i * stride) + prefix, 1).FirstSpan[0] == MpegTsPacket.SyncByte;
            }

            if (synced)
            {
                return stride;
            }
        }

        throw new InvalidDataException("no MPEG-TS sync bytes at 188- or 192-byte intervals");
    }

    private static ReadOnlySpan<byte> Read(VideoCache cache, long offset, Span<byte> scratch)
    {
        if (cache.TryReadMemory(offset, PacketSize, out ReadOnlyMemory<byte> memory))
        {
            return memory.Span; // The usual case: a view of the cache.
        }

        cache.ReadSlice(offset, PacketSize).CopyTo(scratch); // A packet across two segments: 188 bytes copied.
        return scratch;
    }

    /// <summary>The index as the packets build it, one packet at a time in file order.</summary>
    private sealed class IndexBuilder(int stride)
    {
        private readonly MpegTsProgramTracker _program = new(); // PAT -> PMT -> the video PID, by the library's rules
        private readonly MpegTsKeyframeScanner _scanner = new();
        private readonly Dictionary<long, int> _deltas = new(); // DTS delta -> how many times it was seen (at most 1000 deltas)
        private readonly List<long> _times = [];               // keyframe PTS, unwrapped
        private readonly List<long> _offsets = [];             // keyframe offsets, each its PAT's or its own packet's
        private long _lastPat = -1;                            // position of the last PAT
        private long _tablesEnd = -1;                          // end of the first PMT that named a video stream; -1: none yet
        private bool _everyKeyframeAtTables = true;            // whether each keyframe's offset is its PAT's
        private bool _videoSincePat = true;                    // whether a video packet came after the last PAT
        private long? _previousDts;                            // the previous video PES's DTS, unwrapped
        private long? _lastPts;                                // the previous video PES's PTS, unwrapped: the reference for the next
        private long _minPts = long.MaxValue;
        private long _maxPts = long.MinValue;
        private (long Pts, long Offset, bool AtTables)? _pes;  // the current video PES: its PTS, offset and whether that is a PAT's

        /// <summary>
        /// Takes the packet whose 188 bytes are <paramref name="bytes"/>, at <paramref name="position"/> (the start of its
        /// stride, prefix included). A damaged packet is dropped (<see cref="MpegTsProgramTracker"/>'s rule), and a keyframe
        /// is what <see cref="MpegTsKeyframeScanner.Follow"/> says it is.
        /// </summary>
        public void Add(ReadOnlySpan<byte> bytes, long position)
        {
            MpegTsPacketKind kind = _program.Track(bytes, out MpegTsPacket packet);
            bool keyframe = _scanner.Follow(_program, kind, packet); // the library's keyframe rule, the live detector's
            if (kind == MpegTsPacketKind.Pat)
            {
                _lastPat = position;
                _videoSincePat = false;
            }
            else if (kind == MpegTsPacketKind.Pmt && _program.IsVideo && _tablesEnd < 0)
            {
                _tablesEnd = position + stride;
            }
            else if (kind == MpegTsPacketKind.Stream && _program.IsVideo)
            {
                if (packet.PayloadUnitStart)
                {
                    StartVideoPes(packet.Payload, position);
                }

                _videoSincePat = true;
                if (keyframe && _pes is { } pes)
                {
                    AddKeyframe(pes.Pts, pes.Offset, pes.AtTables);
                }
            }
        }

        /// <exception cref="InvalidDataException">No video stream, or no video keyframes with time stamps.</exception>
        public KeyframeIndex ToIndex()
        {
            if (_tablesEnd < 0 || _times.Count == 0 || _deltas.Count == 0)
            {
                throw new InvalidDataException(_tablesEnd < 0 ? "no video stream in the PMT" : "no video keyframes with time stamps");
            }

            long frameDuration = _deltas.MaxBy(pair => pair.Value).Key;
            long[] keyTimes = [.. _times];
            for (int i = 0; i < keyTimes.Length; i++)
            {
                keyTimes[i] -= _minPts; // The first frame shown is time 0.
            }

            return new KeyframeIndex(MpegTsPesHeader.ClockRate, frameDuration, _maxPts - _minPts + frameDuration, keyTimes, [.. _offsets], stride == PacketSize ? "MPEG-TS" : "M2TS")
            {
                TransportStream = new MpegTsLayout(stride, _everyKeyframeAtTables ? null : _tablesEnd),
            };
        }

        private void AddKeyframe(long pts, long offset, bool atTables)
        {
            _times.Add(pts);
            _offsets.Add(offset);
            _everyKeyframeAtTables &= atTables;
        }

        /// <summary>The first packet of a video PES: its time stamps, and where a reader of it would start.</summary>
        private void StartVideoPes(ReadOnlySpan<byte> payload, long position)
        {
            _pes = null; // A PES without a presentation time is no keyframe of the index.
            if (!MpegTsPesHeader.TryRead(payload, out MpegTsPesHeader header) || header.Pts is not { } pts)
            {
                return;
            }

            pts = _lastPts is { } reference ? MpegTsPesHeader.UnwrapTimestamp(pts, reference) : pts;
            long dts = MpegTsPesHeader.UnwrapTimestamp(header.Dts ?? pts, pts);
            _lastPts = pts;
            _minPts = Math.Min(_minPts, pts);
            _maxPts = Math.Max(_maxPts, pts);
            if (_previousDts is { } previous && dts > previous && _deltas.Count < 1000)
            {
                _deltas[dts - previous] = _deltas.GetValueOrDefault(dts - previous) + 1;
            }

            _previousDts = dts;
            bool atTables = !_videoSincePat && _lastPat >= 0;
            _pes = (pts, atTables ? _lastPat : position, atTables);
        }
    }
}
