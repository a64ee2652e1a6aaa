using System.Buffers.Binary;

namespace LiveFanout;

/// <summary>
/// A synthetic MPEG-TS: PAT, PMT and one H.264 video PID whose frames are filler bytes. Every
/// <c>framesPerKeyframe</c>-th frame starts with the random-access indicator set and an IDR NAL unit, preceded by PAT
/// and PMT, so servers find sync points exactly as they would in a real stream. Costs almost no CPU to produce, so the
/// ingest's rate is set by the load tool, not by an encoder.
/// </summary>
internal sealed class SyntheticTransportStream
{
    public const int PacketSize = 188;
    private const ushort PmtPid = 0x1000;
    private const ushort VideoPid = 0x0100;
    private readonly int _framesPerKeyframe;
    private readonly int _packetsPerFrame;
    private byte _patCounter;
    private byte _pmtCounter;
    private byte _videoCounter;
    private long _frame;

    public SyntheticTransportStream(int bytesPerFrame, int framesPerKeyframe)
    {
        _framesPerKeyframe = framesPerKeyframe;
        _packetsPerFrame = Math.Max(1, bytesPerFrame / PacketSize);
    }

    /// <summary>The most bytes one frame can take: its packets plus PAT and PMT.</summary>
    public int MaxFrameBytes => (_packetsPerFrame + 2) * PacketSize;

    /// <summary>Writes the next frame's packets into <paramref name="destination"/> and returns the bytes written.</summary>
    public int WriteFrame(Span<byte> destination)
    {
        bool key = _frame % _framesPerKeyframe == 0;
        int written = 0;
        if (key)
        {
            WritePat(destination.Slice(written, PacketSize));
            written += PacketSize;
            WritePmt(destination.Slice(written, PacketSize));
            written += PacketSize;
        }

        for (int i = 0; i < _packetsPerFrame; i++)
        {
            Span<byte> packet = destination.Slice(written, PacketSize);
            WriteVideoPacket(packet, start: i == 0, key);
            written += PacketSize;
        }

        _frame++;
        return written;
    }

    private void WritePat(Span<byte> packet)
    {
        WriteHeader(packet, pid: 0, payloadStart: true, ref _patCounter);
        packet[4..].Fill(0xFF);
        Span<byte> section = packet[5..]; // after the pointer field
        packet[4] = 0;
        section[0] = 0x00; // table id: PAT
        BinaryPrimitives.WriteUInt16BigEndian(section[1..], 0xB000 | 13); // section length
        BinaryPrimitives.WriteUInt16BigEndian(section[3..], 1); // transport stream id
        section[5] = 0xC1;
        section[6] = 0;
        section[7] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(section[8..], 1); // program number
        BinaryPrimitives.WriteUInt16BigEndian(section[10..], (ushort)(0xE000 | PmtPid));
        BinaryPrimitives.WriteUInt32BigEndian(section[12..], Crc32Mpeg(section[..12]));
    }

    private void WritePmt(Span<byte> packet)
    {
        WriteHeader(packet, PmtPid, payloadStart: true, ref _pmtCounter);
        packet[4..].Fill(0xFF);
        packet[4] = 0;
        Span<byte> section = packet[5..];
        section[0] = 0x02; // table id: PMT
        BinaryPrimitives.WriteUInt16BigEndian(section[1..], 0xB000 | 18);
        BinaryPrimitives.WriteUInt16BigEndian(section[3..], 1); // program number
        section[5] = 0xC1;
        section[6] = 0;
        section[7] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(section[8..], (ushort)(0xE000 | VideoPid)); // PCR PID
        BinaryPrimitives.WriteUInt16BigEndian(section[10..], 0xF000); // program info length 0
        section[12] = 0x1B; // stream type: H.264
        BinaryPrimitives.WriteUInt16BigEndian(section[13..], (ushort)(0xE000 | VideoPid));
        BinaryPrimitives.WriteUInt16BigEndian(section[15..], 0xF000);
        BinaryPrimitives.WriteUInt32BigEndian(section[17..], Crc32Mpeg(section[..17]));
    }

    private void WriteVideoPacket(Span<byte> packet, bool start, bool key)
    {
        WriteHeader(packet, VideoPid, start, ref _videoCounter);
        packet[4..].Clear();
        int payload = 4;
        if (start && key)
        {
            packet[3] |= 0x20; // adaptation field present
            packet[4] = 1; // adaptation field length
            packet[5] = 0x40; // random access indicator
            payload = 6;
        }

        if (start)
        {
            // PES header (video stream 0xE0, unbounded length, no PTS) and the frame's first NAL unit.
            ReadOnlySpan<byte> pes = [0x00, 0x00, 0x01, 0xE0, 0x00, 0x00, 0x80, 0x00, 0x00];
            pes.CopyTo(packet[payload..]);
            payload += pes.Length;
            ReadOnlySpan<byte> nal = key ? [0x00, 0x00, 0x00, 0x01, 0x65] : [0x00, 0x00, 0x00, 0x01, 0x41];
            nal.CopyTo(packet[payload..]);
        }
    }

    private static void WriteHeader(Span<byte> packet, ushort pid, bool payloadStart, ref byte counter)
    {
        packet[0] = 0x47;
        packet[1] = (byte)((payloadStart ? 0x40 : 0) | (pid >> 8));
        packet[2] = (byte)pid;
        packet[3] = (byte)(0x10 | counter);
        counter = (byte)((counter + 1) & 0x0F);
    }

    private static uint Crc32Mpeg(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= (uint)b << 24;
            for (int i = 0; i < 8; i++)
            {
                crc = (crc & 0x80000000) != 0 ? (crc << 1) ^ 0x04C11DB7 : crc << 1;
            }
        }

        return crc;
    }
}
