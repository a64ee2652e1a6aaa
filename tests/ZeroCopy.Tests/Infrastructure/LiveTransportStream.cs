using System.Buffers;

namespace ZeroCopy.Tests.Infrastructure;

/// <summary>
/// Builds a small, well-formed MPEG transport stream packet by packet: PAT, PMT (H.264 video on PID 0x100, AAC audio on
/// 0x101), video PES packets that are keyframes or not (signalled by the random-access indicator, by an IDR NAL unit,
/// or both), audio and null packets. Records where each kind of packet went.
/// </summary>
internal sealed class LiveTransportStream
{
    public const int PacketSize = 188;
    public const int PmtPid = 0x1000;
    public const int VideoPid = 0x100;
    public const int AudioPid = 0x101;

    private readonly ArrayBufferWriter<byte> _stream = new();
    private readonly byte _videoStreamType;
    private int _ccPat;
    private int _ccPmt;
    private int _ccVideo;
    private int _ccAudio;

    public LiveTransportStream(byte videoStreamType = 0x1B) => _videoStreamType = videoStreamType;

    public long Length => _stream.WrittenCount;

    /// <summary>The positions of the packets that start keyframes.</summary>
    public List<long> Keyframes { get; } = [];

    /// <summary>The positions of the PAT packets.</summary>
    public List<long> Pats { get; } = [];

    public byte[] ToArray() => _stream.WrittenSpan.ToArray();

    public LiveTransportStream Pat()
    {
        Pats.Add(Length);
        Span<byte> section = [0x00, 0xB0, 0x0D, 0x00, 0x01, 0xC1, 0x00, 0x00, 0x00, 0x01, (byte)(0xE0 | (PmtPid >> 8)), (byte)(PmtPid & 0xFF), 0, 0, 0, 0];
        return Table(0, ref _ccPat, section);
    }

    public LiveTransportStream Pmt()
    {
        Span<byte> section =
        [
            0x02, 0xB0, 0x17, 0x00, 0x01, 0xC1, 0x00, 0x00,
            (byte)(0xE0 | (VideoPid >> 8)), (byte)(VideoPid & 0xFF), 0xF0, 0x00,
            _videoStreamType, (byte)(0xE0 | (VideoPid >> 8)), (byte)(VideoPid & 0xFF), 0xF0, 0x00,
            0x0F, (byte)(0xE0 | (AudioPid >> 8)), (byte)(AudioPid & 0xFF), 0xF0, 0x00,
            0, 0, 0, 0,
        ];
        return Table(PmtPid, ref _ccPmt, section);
    }

    /// <summary>A video PES of <paramref name="packets"/> packets; a keyframe carries SPS, PPS and an IDR slice.</summary>
    public LiveTransportStream Video(bool keyframe, bool randomAccessIndicator, int packets = 3, bool idrInSecondPacket = false)
    {
        if (keyframe)
        {
            Keyframes.Add(Length);
        }

        byte[] sliceNal = _videoStreamType == 0x24
            ? [0x00, 0x00, 0x00, 0x01, keyframe ? (byte)(19 << 1) : (byte)(1 << 1), 0x01, 0xAF]
            : [0x00, 0x00, 0x00, 0x01, keyframe ? (byte)0x65 : (byte)0x41, 0x88, 0x84];
        byte[] parameterSets = keyframe && _videoStreamType == 0x1B
            ? [0x00, 0x00, 0x00, 0x01, 0x67, 0x42, 0xC0, 0x1E, 0x00, 0x00, 0x00, 0x01, 0x68, 0xCE, 0x3C, 0x80]
            : [];
        byte[] header = [0x00, 0x00, 0x01, 0xE0, 0x00, 0x00, 0x80, 0x80, 0x05, 0x21, 0x00, 0x01, 0x00, 0x01];
        byte[] accessUnitDelimiter = _videoStreamType == 0x24 ? [0x00, 0x00, 0x00, 0x01, 0x46, 0x01, 0x50] : [0x00, 0x00, 0x00, 0x01, 0x09, 0xF0];

        var first = new List<byte>(header);
        first.AddRange(accessUnitDelimiter);
        first.AddRange(parameterSets);
        if (!idrInSecondPacket)
        {
            first.AddRange(sliceNal);
        }

        Packet(VideoPid, ref _ccVideo, unitStart: true, randomAccessIndicator, first.ToArray());
        for (int i = 1; i < packets; i++)
        {
            Packet(VideoPid, ref _ccVideo, unitStart: false, randomAccess: false, i == 1 && idrInSecondPacket ? sliceNal : []);
        }

        return this;
    }

    /// <summary>An audio PES packet; muxers set the random-access indicator on audio too, which is not a video keyframe.</summary>
    public LiveTransportStream Audio()
    {
        Packet(AudioPid, ref _ccAudio, unitStart: true, randomAccess: true, [0x00, 0x00, 0x01, 0xC0, 0x00, 0x00, 0x80, 0x80, 0x05, 0x21, 0x00, 0x01, 0x00, 0x01, 0xFF, 0xF1]);
        return this;
    }

    public LiveTransportStream Null()
    {
        int cc = 0;
        Packet(0x1FFF, ref cc, unitStart: false, randomAccess: false, []);
        return this;
    }

    /// <summary>A typical group of pictures as ffmpeg writes it: PAT, PMT, keyframe, then audio and non-key frames.</summary>
    public LiveTransportStream Gop(int frames = 4, bool tablesBeforeKeyframe = true, bool randomAccessIndicator = true)
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

    private LiveTransportStream Table(int pid, ref int cc, Span<byte> section)
    {
        uint crc = Crc32Mpeg2(section[..^4]);
        section[^4] = (byte)(crc >> 24);
        section[^3] = (byte)(crc >> 16);
        section[^2] = (byte)(crc >> 8);
        section[^1] = (byte)crc;
        byte[] payload = new byte[1 + section.Length];
        section.CopyTo(payload.AsSpan(1));
        return Packet(pid, ref cc, unitStart: true, randomAccess: false, payload, stuffWith: 0xFF);
    }

    private LiveTransportStream Packet(int pid, ref int cc, bool unitStart, bool randomAccess, ReadOnlySpan<byte> payload, byte stuffWith = 0xAB)
    {
        Span<byte> packet = stackalloc byte[PacketSize];
        packet[0] = 0x47;
        packet[1] = (byte)((unitStart ? 0x40 : 0) | (pid >> 8));
        packet[2] = (byte)pid;
        int offset = 4;
        if (randomAccess)
        {
            packet[3] = (byte)(0x30 | (cc & 0xF));
            packet[4] = 1;
            packet[5] = 0x40;
            offset = 6;
        }
        else
        {
            packet[3] = (byte)(0x10 | (cc & 0xF));
        }

        cc++;
        payload.CopyTo(packet[offset..]);
        packet[(offset + payload.Length)..].Fill(stuffWith);
        _stream.Write(packet);
        return this;
    }

    private static uint Crc32Mpeg2(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte value in data)
        {
            crc ^= (uint)value << 24;
            for (int bit = 0; bit < 8; bit++)
            {
                crc = (crc & 0x80000000) != 0 ? (crc << 1) ^ 0x04C11DB7 : crc << 1;
            }
        }

        return crc;
    }

    /// <summary>The PID of the packet at <paramref name="offset"/> of <paramref name="data"/>.</summary>
    public static int PidAt(ReadOnlySpan<byte> data, int offset) => ((data[offset + 1] & 0x1F) << 8) | data[offset + 2];
}
