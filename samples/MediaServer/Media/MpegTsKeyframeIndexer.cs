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
/// A keyframe's offset is the PAT that precedes it when the muxer repeated PAT and PMT just before it (as ffmpeg does):
/// a reader that starts there can decode without any earlier byte. Otherwise it is the keyframe's own packet. The keyframes
/// are the ones the live path's <see cref="MpegTsSyncPointDetector"/> finds, by the same code.
/// One pass over the packets: O(file size).
/// </remarks>
internal static class MpegTsKeyframeIndexer
{
    private const int PacketSize = MpegTsPacket.Size;

    /// <summary>Indexes the transport stream held in <paramref name="cache"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a transport stream, or has no video keyframes with time stamps.</exception>
    public static KeyframeIndex Build(VideoCache cache)
    {
        int stride = DetectStride(cache);
        int prefix = stride - PacketSize;
        Span<byte> scratch = stackalloc byte[PacketSize];
        var scanner = new MpegTsKeyframeScanner();

        int pmtPid = -1, videoPid = -1;
        byte videoStreamType = 0;
        long lastPat = -1;
        bool videoSincePat = true;
        long? previousDts = null, lastPts = null;
        long minPts = long.MaxValue, maxPts = long.MinValue;
        long scannedPts = 0, scannedOffset = 0; // The PES whose first picture the scanner is looking for.
        var deltas = new Dictionary<long, int>();
        var times = new List<long>();
        var offsets = new List<long>();

        for (long position = 0; position + stride <= cache.Capacity; position += stride)
        {
            long packetOffset = position + prefix;
            if (!MpegTsPacket.TryParse(Read(cache, packetOffset, scratch), out MpegTsPacket packet))
            {
                throw new InvalidDataException($"lost sync (or a malformed packet) at byte {packetOffset}");
            }

            int pid = packet.Pid;
            ReadOnlySpan<byte> payload = packet.Payload;
            if (!packet.PayloadUnitStart || payload.IsEmpty)
            {
                if (pid == videoPid)
                {
                    videoSincePat = true;
                    if (scanner.IsScanning && scanner.Continue(payload) == MpegTsKeyframeScanResult.Keyframe)
                    {
                        times.Add(scannedPts);
                        offsets.Add(scannedOffset);
                    }
                }

                continue;
            }

            if (pid == 0)
            {
                if (MpegTsTables.TryReadPat(payload, out int pat))
                {
                    pmtPid = pat;
                    lastPat = position;
                    videoSincePat = false;
                }
            }
            else if (pid == pmtPid && videoPid < 0)
            {
                if (MpegTsTables.TryReadPmt(payload, out int streamPid, out byte streamType) && MpegTsStreamTypes.IsVideo(streamType))
                {
                    (videoPid, videoStreamType) = (streamPid, streamType);
                }
            }
            else if (pid == videoPid)
            {
                scanner.Cancel();
                if (!MpegTsPesHeader.TryRead(payload, out MpegTsPesHeader header) || header.Pts is not { } pts)
                {
                    videoSincePat = true;
                    continue;
                }

                pts = lastPts is { } reference ? MpegTsPesHeader.UnwrapTimestamp(pts, reference) : pts;
                long dts = MpegTsPesHeader.UnwrapTimestamp(header.Dts ?? pts, pts);
                lastPts = pts;
                minPts = Math.Min(minPts, pts);
                maxPts = Math.Max(maxPts, pts);
                if (previousDts is { } previous && dts > previous && deltas.Count < 1000)
                {
                    deltas[dts - previous] = deltas.GetValueOrDefault(dts - previous) + 1;
                }

                previousDts = dts;
                long offset = videoSincePat || lastPat < 0 ? position : lastPat;
                ReadOnlySpan<byte> elementary = payload[Math.Min(header.HeaderLength, payload.Length)..];
                if (packet.RandomAccessIndicator || scanner.Start(videoStreamType, elementary) == MpegTsKeyframeScanResult.Keyframe)
                {
                    times.Add(pts);
                    offsets.Add(offset);
                }

                (scannedPts, scannedOffset) = (pts, offset);
                videoSincePat = true;
            }
        }

        if (videoPid < 0 || times.Count == 0 || deltas.Count == 0)
        {
            throw new InvalidDataException(videoPid < 0 ? "no video stream in the PMT" : "no video keyframes with time stamps");
        }

        long frameDuration = deltas.MaxBy(pair => pair.Value).Key;
        long[] keyTimes = [.. times];
        for (int i = 0; i < keyTimes.Length; i++)
        {
            keyTimes[i] -= minPts; // The first frame shown is time 0.
        }

        return new KeyframeIndex(MpegTsPesHeader.ClockRate, frameDuration, maxPts - minPts + frameDuration, keyTimes, [.. offsets], "MPEG-TS");
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
}
