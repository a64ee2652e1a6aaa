using System.Buffers.Binary;
using ZeroCopy.Tests.Infrastructure;

namespace ZeroCopy.Tests.MpegTs;

public class MpegTsTablesTests
{
    /// <summary>The payload of the builder's first packet: pointer field, section, CRC, stuffing.</summary>
    private static byte[] PayloadOf(TransportStreamBuilder builder)
    {
        Assert.True(MpegTsPacket.TryParse(builder.ToArray(), out MpegTsPacket packet));
        return packet.Payload.ToArray();
    }

    /// <summary>A packet payload holding one section: its section_length set and its CRC appended.</summary>
    private static byte[] Payload(params byte[] section)
    {
        byte[] payload = new byte[1 + section.Length + 4];
        section.CopyTo(payload, 1);
        int sectionLength = section.Length - 3 + 4;
        payload[2] = (byte)(0xB0 | (sectionLength >> 8));
        payload[3] = (byte)sectionLength;
        BinaryPrimitives.WriteUInt32BigEndian(payload.AsSpan(^4), MpegTsTables.ComputeCrc32(payload.AsSpan(1, section.Length)));
        return payload;
    }

    /// <summary>A PMT section (without CRC) for programme 1 listing the given (stream type, PID) pairs.</summary>
    private static byte[] Pmt(byte[] programInfo, params (byte Type, int Pid)[] streams)
    {
        var section = new List<byte> { 0x02, 0, 0, 0x00, 0x01, 0xC1, 0x00, 0x00, 0xE1, 0x00, (byte)(0xF0 | (programInfo.Length >> 8)), (byte)programInfo.Length };
        section.AddRange(programInfo);
        foreach ((byte type, int pid) in streams)
        {
            section.AddRange([type, (byte)(0xE0 | (pid >> 8)), (byte)pid, 0xF0, 0x00]);
        }

        return [.. section];
    }

    [Fact]
    public void CrcIsCrc32Mpeg2()
    {
        Assert.Equal(0x0376E6E7u, MpegTsTables.ComputeCrc32("123456789"u8)); // The catalogued check value of CRC-32/MPEG-2.
        Assert.Equal(0xFFFFFFFFu, MpegTsTables.ComputeCrc32([]));
    }

    [Fact]
    public void CrcOverAWholeSectionWithItsCrcIsZero()
    {
        byte[] payload = PayloadOf(new TransportStreamBuilder().Pmt());
        int length = 3 + (((payload[2] & 0x0F) << 8) | payload[3]);

        Assert.Equal(0u, MpegTsTables.ComputeCrc32(payload.AsSpan(1, length)));
    }

    [Fact]
    public void PatNamesThePmtPidOfItsFirstProgramme()
    {
        Assert.True(MpegTsTables.TryReadPat(PayloadOf(new TransportStreamBuilder().Pat()), out int pmtPid));

        Assert.Equal(TransportStreamBuilder.PmtPid, pmtPid);
    }

    [Fact]
    public void PatSkipsTheNetworkPid()
    {
        byte[] payload = Payload(0x00, 0, 0, 0x00, 0x01, 0xC1, 0x00, 0x00, 0x00, 0x00, 0xE0, 0x10, 0x00, 0x07, 0xE1, 0x23);

        Assert.True(MpegTsTables.TryReadPat(payload, out int pmtPid));
        Assert.Equal(0x123, pmtPid);
    }

    [Fact]
    public void PatWithoutAProgrammeNamesNone()
    {
        byte[] payload = Payload(0x00, 0, 0, 0x00, 0x01, 0xC1, 0x00, 0x00, 0x00, 0x00, 0xE0, 0x10);

        Assert.False(MpegTsTables.TryReadPat(payload, out int pmtPid));
        Assert.Equal(-1, pmtPid);
    }

    [Fact]
    public void PmtNamesItsFirstVideoStream()
    {
        Assert.True(MpegTsTables.TryReadPmt(PayloadOf(new TransportStreamBuilder().Pmt()), out int pid, out byte streamType));

        Assert.Equal(TransportStreamBuilder.VideoPid, pid);
        Assert.Equal(MpegTsStreamTypes.H264, streamType);
    }

    [Fact]
    public void PmtNamesVideoListedAfterAudioAndSkipsTheProgrammeInfo()
    {
        byte[] payload = Payload(Pmt([0x05, 0x04, 0x48, 0x44, 0x4D, 0x56], (0x0F, 0x101), (0x06, 0x102), (MpegTsStreamTypes.Vc1, 0x103), (MpegTsStreamTypes.H264, 0x104)));

        Assert.True(MpegTsTables.TryReadPmt(payload, out int pid, out byte streamType));

        Assert.Equal(0x103, pid);
        Assert.Equal(MpegTsStreamTypes.Vc1, streamType);
    }

    [Fact]
    public void PmtWithoutVideoNamesItsFirstStream()
    {
        byte[] payload = Payload(Pmt([], (0x0F, 0x101), (0x06, 0x102)));

        Assert.True(MpegTsTables.TryReadPmt(payload, out int pid, out byte streamType));

        Assert.Equal(0x101, pid);
        Assert.False(MpegTsStreamTypes.IsVideo(streamType));
    }

    [Fact]
    public void PmtWithoutStreamsNamesNone() => Assert.False(MpegTsTables.TryReadPmt(Payload(Pmt([])), out _, out _));

    [Fact]
    public void SectionIsReturnedAfterThePointerFieldWithoutItsCrc()
    {
        byte[] section = Pmt([], (0x1B, 0x100));
        byte[] payload = Payload(section);
        byte[] shifted = [3, 0xEE, 0xEE, 0xEE, .. payload.AsSpan(1)]; // pointer_field 3: the end of a previous section first

        Assert.True(MpegTsTables.TryReadSection(shifted, MpegTsTables.PmtTableId, out ReadOnlySpan<byte> found));

        Assert.Equal(payload.AsSpan(1, section.Length).ToArray(), found.ToArray());
        Assert.True(MpegTsTables.TryReadPmt(shifted, out int pid, out _));
        Assert.Equal(0x100, pid);
    }

    [Fact]
    public void EveryCorruptedByteOfATableFailsItsCrc()
    {
        byte[] payload = PayloadOf(new TransportStreamBuilder().Pat());
        int length = 3 + (((payload[2] & 0x0F) << 8) | payload[3]);
        for (int i = 1; i < 1 + length; i++)
        {
            byte[] corrupted = (byte[])payload.Clone();
            corrupted[i] ^= 0x04;

            Assert.False(MpegTsTables.TryReadPat(corrupted, out _), $"byte {i} corrupted");
        }
    }

    [Fact]
    public void TableWithAnotherTableIdIsNotRead()
    {
        byte[] pmt = PayloadOf(new TransportStreamBuilder().Pmt());
        byte[] pat = PayloadOf(new TransportStreamBuilder().Pat());

        Assert.False(MpegTsTables.TryReadPat(pmt, out _));
        Assert.False(MpegTsTables.TryReadPmt(pat, out _, out _));
    }

    [Fact]
    public void SectionLongerThanThePayloadIsNotRead()
    {
        byte[] payload = Payload(Pmt([], (0x1B, 0x100)));
        payload[2] = 0xB3; // section_length 0x3xx: beyond the payload
        payload[3] = 0xFF;

        Assert.False(MpegTsTables.TryReadSection(payload, MpegTsTables.PmtTableId, out _));
    }

    [Fact]
    public void TruncatedPayloadsAreRejectedWithoutThrowing()
    {
        byte[] pat = Payload(0x00, 0, 0, 0x00, 0x01, 0xC1, 0x00, 0x00, 0x00, 0x01, 0xE1, 0x00);
        byte[] pmt = Payload(Pmt([], (0x1B, 0x100)));
        for (int length = 0; length < pmt.Length; length++)
        {
            Assert.False(MpegTsTables.TryReadPmt(pmt.AsSpan(0, length), out _, out _), $"PMT cut to {length} bytes");
        }

        for (int length = 0; length < pat.Length; length++)
        {
            Assert.False(MpegTsTables.TryReadPat(pat.AsSpan(0, length), out _), $"PAT cut to {length} bytes");
        }

        Assert.True(MpegTsTables.TryReadPmt(pmt, out _, out _));
        Assert.True(MpegTsTables.TryReadPat(pat, out _));
    }

    [Theory]
    [InlineData(0)] // section_length 0: not even a CRC
    [InlineData(3)] // shorter than the CRC
    [InlineData(4)] // a CRC and nothing else: no PAT header
    public void SectionsTooShortForTheirTableAreRejected(int sectionLength)
    {
        byte[] payload = new byte[1 + 3 + sectionLength];
        payload[1] = 0x00;
        payload[2] = 0xB0;
        payload[3] = (byte)sectionLength;
        if (sectionLength >= 4)
        {
            BinaryPrimitives.WriteUInt32BigEndian(payload.AsSpan(^4), MpegTsTables.ComputeCrc32(payload.AsSpan(1, 3)));
        }

        Assert.False(MpegTsTables.TryReadPat(payload, out _));
        Assert.False(MpegTsTables.TryReadPmt(payload, out _, out _));
    }

    [Fact]
    public void RandomPayloadsNeverThrow()
    {
        var random = new Random(5);
        byte[] payload = new byte[184];
        for (int i = 0; i < 10_000; i++)
        {
            random.NextBytes(payload);
            payload[0] = (byte)random.Next(0, 4); // a short pointer field, so the section header is reached
            payload[1 + payload[0]] = (byte)(i % 2 == 0 ? MpegTsTables.PatTableId : MpegTsTables.PmtTableId);
            _ = MpegTsTables.TryReadPat(payload, out _);
            _ = MpegTsTables.TryReadPmt(payload, out _, out _);
        }
    }
}
