using System.Buffers;
using System.Buffers.Binary;

namespace ZeroCopy.Tests.Infrastructure;

/// <summary>
/// Builds a small, well-formed MPEG transport stream packet by packet: PAT, PMT (video on PID 0x100, and AAC audio on
/// 0x101 unless left out), video PES packets that are keyframes or not (signalled by the random-access indicator, by an
/// IDR/IRAP NAL unit, or both), audio and null packets. Records where the PATs and keyframes went.
/// </summary>
/// <remarks>
/// The one stream builder of the repository: the library's tests use it, and benchmarks/LiveFanout compiles this file in
/// to push a synthetic stream (calling <see cref="Clear"/> after sending each frame, so the buffer is reused). Tables
/// carry the CRC of <see cref="MpegTsTables.ComputeCrc32"/>. Video frames are 40 ms apart (25 fps) in their PTS.
/// </remarks>
internal sealed class TransportStreamBuilder
{
    public const int PacketSize = MpegTsPacket.Size;
    public const int PmtPid = 0x1000;
    public const int VideoPid = 0x100;
    public const int AudioPid = 0x101;
    public const int FrameDuration = 3600; // 90 kHz ticks per frame at 25 fps.

    private readonly ArrayBufferWriter<byte> _buffer = new();
    private readonly byte _videoStreamType;
    private readonly bool _audio;
    private long _length;
    private long _pts;
    private int _ccPat;
    private int _ccPmt;
    private int _ccVideo;
    private int _ccAudio;

    /// <param name="videoStreamType">The video stream's PMT stream type: H.264 (the default) or HEVC get matching NAL units.</param>
    /// <param name="audio">Whether the PMT lists an audio stream too.</param>
    public TransportStreamBuilder(byte videoStreamType = MpegTsStreamTypes.H264, bool audio = true)
    {
        _videoStreamType = videoStreamType;
        _audio = audio;
    }

    /// <summary>The stream's length: every byte built, including those dropped by <see cref="Clear"/>.</summary>
    public long Length => _length;

    /// <summary>The PTS of the next frame (90 kHz, written modulo 2^33); 0 at first, one frame duration more per frame.</summary>
    public long NextPts
    {
        get => _pts;
        set => _pts = value;
    }

    /// <summary>The positions of the packets that start keyframes.</summary>
    public List<long> Keyframes { get; } = [];

    /// <summary>The positions of the PAT packets.</summary>
    public List<long> Pats { get; } = [];

    /// <summary>The bytes built since the start or the last <see cref="Clear"/>; valid until the next call.</summary>
    public ReadOnlyMemory<byte> Written => _buffer.WrittenMemory;

    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();

    /// <summary>Drops the bytes built so far (to reuse the buffer); positions, counters and time stamps go on.</summary>
    public void Clear() => _buffer.ResetWrittenCount();

    public TransportStreamBuilder Pat()
    {
        Pats.Add(Length);
        Span<byte> section = [0x00, 0xB0, 0x0D, 0x00, 0x01, 0xC1, 0x00, 0x00, 0x00, 0x01, (byte)(0xE0 | (PmtPid >> 8)), (byte)(PmtPid & 0xFF), 0, 0, 0, 0];
        return Table(0, ref _ccPat, section);
    }

    public TransportStreamBuilder Pmt()
    {
        Span<byte> section = stackalloc byte[12 + 5 + 5 + 4];
        ReadOnlySpan<byte> header = [0x02, 0xB0, 0x00, 0x00, 0x01, 0xC1, 0x00, 0x00, (byte)(0xE0 | (VideoPid >> 8)), (byte)(VideoPid & 0xFF), 0xF0, 0x00];
        header.CopyTo(section);
        int length = header.Length;
        length += WriteStream(section[length..], _videoStreamType, VideoPid);
        if (_audio)
        {
            length += WriteStream(section[length..], 0x0F, AudioPid);
        }

        section = section[..(length + 4)];
        section[2] = (byte)(section.Length - 3); // section_length: the bytes after it, CRC included.
        return Table(PmtPid, ref _ccPmt, section);

        static int WriteStream(Span<byte> entry, byte streamType, int pid)
        {
            ReadOnlySpan<byte> bytes = [streamType, (byte)(0xE0 | (pid >> 8)), (byte)(pid & 0xFF), 0xF0, 0x00];
            bytes.CopyTo(entry);
            return bytes.Length;
        }
    }

    /// <summary>
    /// A video PES of <paramref name="packets"/> packets; a keyframe carries (for H.264) SPS and PPS and an IDR (HEVC:
    /// IDR_W_RADL) slice, another frame a non-IDR slice. <paramref name="idrInSecondPacket"/> puts the slice in the second
    /// packet, as a large SEI would.
    /// </summary>
    public TransportStreamBuilder Video(bool keyframe, bool randomAccessIndicator, int packets = 3, bool idrInSecondPacket = false)
    {
        if (keyframe)
        {
            Keyframes.Add(Length);
        }

        bool hevc = _videoStreamType == MpegTsStreamTypes.Hevc;
        ReadOnlySpan<byte> accessUnitDelimiter = hevc ? [0x00, 0x00, 0x00, 0x01, 0x46, 0x01, 0x50] : [0x00, 0x00, 0x00, 0x01, 0x09, 0xF0];
        ReadOnlySpan<byte> parameterSets = keyframe && _videoStreamType == MpegTsStreamTypes.H264
            ? [0x00, 0x00, 0x00, 0x01, 0x67, 0x42, 0xC0, 0x1E, 0x00, 0x00, 0x00, 0x01, 0x68, 0xCE, 0x3C, 0x80]
            : [];
        ReadOnlySpan<byte> slice = hevc
            ? [0x00, 0x00, 0x00, 0x01, keyframe ? (byte)(19 << 1) : (byte)(1 << 1), 0x01, 0xAF]
            : [0x00, 0x00, 0x00, 0x01, keyframe ? (byte)0x65 : (byte)0x41, 0x88, 0x84];

        Span<byte> first = stackalloc byte[PacketSize];
        int length = WritePesHeader(first, streamId: 0xE0, _pts);
        _pts += FrameDuration;
        accessUnitDelimiter.CopyTo(first[length..]);
        length += accessUnitDelimiter.Length;
        parameterSets.CopyTo(first[length..]);
        length += parameterSets.Length;
        if (!idrInSecondPacket)
        {
            slice.CopyTo(first[length..]);
            length += slice.Length;
        }

        Packet(VideoPid, ref _ccVideo, unitStart: true, randomAccessIndicator, first[..length]);
        for (int i = 1; i < packets; i++)
        {
            Packet(VideoPid, ref _ccVideo, unitStart: false, randomAccess: false, i == 1 && idrInSecondPacket ? slice : []);
        }

        return this;
    }

    /// <summary>An audio PES packet; muxers set the random-access indicator on audio too, which is not a video keyframe.</summary>
    public TransportStreamBuilder Audio()
    {
        Span<byte> payload = stackalloc byte[16];
        int length = WritePesHeader(payload, streamId: 0xC0, _pts);
        payload[length++] = 0xFF; // The start of an ADTS header.
        payload[length++] = 0xF1;
        return Packet(AudioPid, ref _ccAudio, unitStart: true, randomAccess: true, payload[..length]);
    }

    public TransportStreamBuilder Null()
    {
        int cc = 0;
        return Packet(MpegTsPacket.NullPid, ref cc, unitStart: false, randomAccess: false, []);
    }

    /// <summary>A typical group of pictures as ffmpeg writes it: PAT, PMT, keyframe, then audio and non-key frames.</summary>
    public TransportStreamBuilder Gop(int frames = 4, bool tablesBeforeKeyframe = true, bool randomAccessIndicator = true)
    {
        if (tablesBeforeKeyframe)
        {
            Pat().Pmt();
        }

        Video(keyframe: true, randomAccessIndicator);
        for (int i = 1; i < frames; i++)
        {
            Audio();
            Video(keyframe: false, randomAccessIndicator: false);
        }

        return this;
    }

    /// <summary>The PID of the packet at <paramref name="offset"/> of <paramref name="data"/>, or -1 when there is no packet there.</summary>
    public static int PidAt(ReadOnlySpan<byte> data, int offset) =>
        MpegTsPacket.TryParse(data[offset..], out MpegTsPacket packet) ? packet.Pid : -1;

    /// <summary>A PES header with a PTS (PES_packet_length 0: unbounded, as for video); returns its length.</summary>
    private static int WritePesHeader(Span<byte> destination, byte streamId, long pts)
    {
        ReadOnlySpan<byte> header = [0x00, 0x00, 0x01, streamId, 0x00, 0x00, 0x80, 0x80, 0x05];
        header.CopyTo(destination);
        WriteTimestamp(destination[header.Length..], prefix: 0b0010, pts);
        return header.Length + 5;
    }

    /// <summary>
    /// Writes a 33-bit PES time stamp in its 5 bytes with their marker bits; <paramref name="prefix"/> is the 4-bit code
    /// before it (0010 for a lone PTS, 0011 for a PTS followed by a DTS, 0001 for that DTS).
    /// </summary>
    public static void WriteTimestamp(Span<byte> destination, int prefix, long timestamp)
    {
        destination[0] = (byte)((prefix << 4) | (int)((timestamp >> 29) & 0x0E) | 1);
        destination[1] = (byte)(timestamp >> 22);
        destination[2] = (byte)(((timestamp >> 14) & 0xFE) | 1);
        destination[3] = (byte)(timestamp >> 7);
        destination[4] = (byte)(((timestamp << 1) & 0xFE) | 1);
    }

    /// <summary>A table's packet; <paramref name="section"/> ends with 4 bytes for its CRC, written here.</summary>
    private TransportStreamBuilder Table(int pid, ref int cc, Span<byte> section)
    {
        BinaryPrimitives.WriteUInt32BigEndian(section[^4..], MpegTsTables.ComputeCrc32(section[..^4]));
        Span<byte> payload = stackalloc byte[1 + section.Length];
        payload[0] = 0; // pointer_field
        section.CopyTo(payload[1..]);
        return Packet(pid, ref cc, unitStart: true, randomAccess: false, payload, stuffWith: 0xFF);
    }

    private TransportStreamBuilder Packet(int pid, ref int cc, bool unitStart, bool randomAccess, ReadOnlySpan<byte> payload, byte stuffWith = 0xAB)
    {
        Span<byte> packet = _buffer.GetSpan(PacketSize)[..PacketSize];
        packet[0] = MpegTsPacket.SyncByte;
        packet[1] = (byte)((unitStart ? 0x40 : 0) | (pid >> 8));
        packet[2] = (byte)pid;
        int offset = 4;
        if (randomAccess)
        {
            packet[3] = (byte)(0x30 | (cc & 0xF));
            packet[4] = 1; // adaptation_field_length
            packet[5] = 0x40; // random_access_indicator
            offset = 6;
        }
        else
        {
            packet[3] = (byte)(0x10 | (cc & 0xF));
        }

        cc++;
        payload.CopyTo(packet[offset..]);
        packet[(offset + payload.Length)..].Fill(stuffWith);
        _buffer.Advance(PacketSize);
        _length += PacketSize;
        return this;
    }
}
