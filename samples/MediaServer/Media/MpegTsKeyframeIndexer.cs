using System.Buffers;
using ZeroCopy;

namespace MediaServer.Media;

/// <summary>
/// Builds a <see cref="KeyframeIndex"/> for an MPEG transport stream (188-byte packets, or 192-byte M2TS packets) from
/// its packets: the PAT names the PMT, the PMT names the first video stream, and every packet of that stream that
/// starts a PES and is a random-access point (adaptation-field flag, or an IDR/IRAP NAL unit in its payload) is a
/// keyframe at the PES's presentation time stamp.
/// </summary>
/// <remarks>
/// A keyframe's offset is the PAT that precedes it when the muxer repeated PAT and PMT just before it (as ffmpeg does):
/// a reader that starts there can decode without any earlier byte. Otherwise it is the keyframe's own packet.
/// One pass over the packets: O(file size).
/// </remarks>
internal static class MpegTsKeyframeIndexer
{
    private const int PacketSize = 188;
    private const byte SyncByte = 0x47;
    private const long PtsWrap = 1L << 33;
    private const long Timescale = 90_000;

    /// <summary>Indexes the transport stream held in <paramref name="cache"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a transport stream, or has no video keyframes with time stamps.</exception>
    public static KeyframeIndex Build(VideoCache cache)
    {
        int stride = DetectStride(cache);
        int prefix = stride - PacketSize;
        Span<byte> scratch = stackalloc byte[PacketSize];

        int pmtPid = -1, videoPid = -1, videoStreamType = 0;
        long lastPat = -1;
        bool videoSincePat = true;
        long? previousDts = null, lastPts = null;
        long minPts = long.MaxValue, maxPts = long.MinValue;
        var deltas = new Dictionary<long, int>();
        var times = new List<long>();
        var offsets = new List<long>();

        for (long position = 0; position + stride <= cache.Capacity; position += stride)
        {
            long packetOffset = position + prefix;
            ReadOnlySpan<byte> packet = Read(cache, packetOffset, scratch);
            if (packet[0] != SyncByte)
            {
                throw new InvalidDataException($"lost sync at byte {packetOffset}");
            }

            bool unitStart = (packet[1] & 0x40) != 0;
            int pid = ((packet[1] & 0x1F) << 8) | packet[2];
            int adaptation = (packet[3] >> 4) & 0x3;
            int payloadStart = 4;
            bool randomAccess = false;
            if ((adaptation & 0x2) != 0)
            {
                int length = packet[4];
                randomAccess = length > 0 && (packet[5] & 0x40) != 0;
                payloadStart = 5 + length;
            }

            if ((adaptation & 0x1) == 0 || payloadStart >= PacketSize || !unitStart)
            {
                if (pid == videoPid)
                {
                    videoSincePat = true;
                }

                continue;
            }

            ReadOnlySpan<byte> payload = packet[payloadStart..];
            if (pid == 0)
            {
                pmtPid = ReadPat(payload) ?? pmtPid;
                lastPat = position;
                videoSincePat = false;
            }
            else if (pid == pmtPid && videoPid < 0)
            {
                (videoPid, videoStreamType) = ReadPmt(payload) ?? (-1, 0);
            }
            else if (pid == videoPid)
            {
                if (!TryReadPes(payload, out long pts, out long dts, out int esStart))
                {
                    videoSincePat = true;
                    continue;
                }

                pts = Unwrap(pts, lastPts);
                dts = Unwrap(dts, pts);
                lastPts = pts;
                minPts = Math.Min(minPts, pts);
                maxPts = Math.Max(maxPts, pts);
                if (previousDts is { } previous && dts > previous && deltas.Count < 1000)
                {
                    deltas[dts - previous] = deltas.GetValueOrDefault(dts - previous) + 1;
                }

                previousDts = dts;
                if (randomAccess || HasRandomAccessNal(payload[Math.Min(esStart, payload.Length)..], videoStreamType))
                {
                    times.Add(pts);
                    offsets.Add(videoSincePat || lastPat < 0 ? position : lastPat);
                }

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

        return new KeyframeIndex(Timescale, frameDuration, maxPts - minPts + frameDuration, keyTimes, [.. offsets], "MPEG-TS");
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
                synced = cache.ReadSlice(((long)i * stride) + prefix, 1).FirstSpan[0] == SyncByte;
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

    /// <summary>The PMT PID of the first program in a PAT section.</summary>
    private static int? ReadPat(ReadOnlySpan<byte> payload)
    {
        if (!TryGetSection(payload, 0x00, out ReadOnlySpan<byte> section))
        {
            return null;
        }

        for (int i = 8; i + 4 <= section.Length - 4; i += 4)
        {
            int program = (section[i] << 8) | section[i + 1];
            if (program != 0)
            {
                return ((section[i + 2] & 0x1F) << 8) | section[i + 3];
            }
        }

        return null;
    }

    /// <summary>The PID and stream type of the first video elementary stream in a PMT section.</summary>
    private static (int Pid, int StreamType)? ReadPmt(ReadOnlySpan<byte> payload)
    {
        if (!TryGetSection(payload, 0x02, out ReadOnlySpan<byte> section) || section.Length < 12)
        {
            return null;
        }

        int programInfoLength = ((section[10] & 0x0F) << 8) | section[11];
        for (int i = 12 + programInfoLength; i + 5 <= section.Length - 4;)
        {
            int streamType = section[i];
            int pid = ((section[i + 1] & 0x1F) << 8) | section[i + 2];
            if (streamType is 0x01 or 0x02 or 0x10 or 0x1B or 0x24)
            {
                return (pid, streamType);
            }

            i += 5 + (((section[i + 3] & 0x0F) << 8) | section[i + 4]);
        }

        return null;
    }

    private static bool TryGetSection(ReadOnlySpan<byte> payload, byte tableId, out ReadOnlySpan<byte> section)
    {
        section = default;
        int pointer = payload[0];
        if (1 + pointer + 3 > payload.Length || payload[1 + pointer] != tableId)
        {
            return false;
        }

        ReadOnlySpan<byte> table = payload[(1 + pointer)..];
        int length = 3 + (((table[1] & 0x0F) << 8) | table[2]);
        if (length > table.Length)
        {
            return false; // A section spread over several packets: not in files this indexer is for.
        }

        section = table[..length];
        return true;
    }

    /// <summary>Reads the PTS (and DTS, or the PTS again) of a PES header, and where its payload starts.</summary>
    private static bool TryReadPes(ReadOnlySpan<byte> payload, out long pts, out long dts, out int esStart)
    {
        pts = dts = 0;
        esStart = 0;
        if (payload.Length < 14 || payload[0] != 0 || payload[1] != 0 || payload[2] != 1 || (payload[7] & 0x80) == 0)
        {
            return false;
        }

        pts = ReadTimestamp(payload[9..]);
        dts = (payload[7] & 0x40) != 0 && payload.Length >= 19 ? ReadTimestamp(payload[14..]) : pts;
        esStart = 9 + payload[8];
        return true;
    }

    private static long ReadTimestamp(ReadOnlySpan<byte> b) =>
        ((long)(b[0] & 0x0E) << 29) | ((long)b[1] << 22) | ((long)(b[2] & 0xFE) << 14) | ((long)b[3] << 7) | ((long)b[4] >> 1);

    /// <summary>Puts a 33-bit time stamp on the same unwrapped time line as <paramref name="reference"/>.</summary>
    private static long Unwrap(long timestamp, long? reference)
    {
        if (reference is not { } r)
        {
            return timestamp;
        }

        long delta = (timestamp - r) % PtsWrap;
        delta = delta >= PtsWrap / 2 ? delta - PtsWrap : delta < -PtsWrap / 2 ? delta + PtsWrap : delta;
        return r + delta;
    }

    /// <summary>Whether the elementary-stream bytes hold an H.264 IDR or an HEVC IRAP NAL unit.</summary>
    private static bool HasRandomAccessNal(ReadOnlySpan<byte> es, int streamType)
    {
        for (int i = es.IndexOf((ReadOnlySpan<byte>)[0, 0, 1]); i >= 0 && i + 3 < es.Length;)
        {
            byte header = es[i + 3];
            if (streamType == 0x1B && (header & 0x1F) == 5)
            {
                return true;
            }

            if (streamType == 0x24 && ((header >> 1) & 0x3F) is >= 16 and <= 21)
            {
                return true;
            }

            int next = es[(i + 3)..].IndexOf((ReadOnlySpan<byte>)[0, 0, 1]);
            i = next < 0 ? -1 : i + 3 + next;
        }

        return false;
    }
}
