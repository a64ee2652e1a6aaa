namespace ZeroCopy.Tests.MpegTs;

public class MpegTsPacketTests
{
    private static byte[] Packet(byte b1, byte b2, byte b3, params byte[] rest)
    {
        byte[] packet = new byte[MpegTsPacket.Size];
        packet.AsSpan(4).Fill(0xAB);
        packet[0] = MpegTsPacket.SyncByte;
        packet[1] = b1;
        packet[2] = b2;
        packet[3] = b3;
        rest.CopyTo(packet, 4);
        return packet;
    }

    [Fact]
    public void HeaderFieldsAdaptationFieldAndPayloadAreRead()
    {
        // TEI + PUSI + PID 0x123, adaptation field and payload, CC 10; a 7-byte adaptation field with random access set.
        byte[] bytes = Packet(0xC1, 0x23, 0x3A, 7, 0x40, 1, 2, 3, 4, 5, 6);

        Assert.True(MpegTsPacket.TryParse(bytes, out MpegTsPacket packet));

        Assert.Equal(0x123, packet.Pid);
        Assert.True(packet.PayloadUnitStart);
        Assert.True(packet.TransportError);
        Assert.Equal(10, packet.ContinuityCounter);
        Assert.True(packet.HasAdaptationField);
        Assert.True(packet.HasPayload);
        Assert.True(packet.RandomAccessIndicator);
        Assert.Equal([0x40, 1, 2, 3, 4, 5, 6], packet.AdaptationField.ToArray());
        Assert.Equal(188 - 12, packet.Payload.Length);
        Assert.True(((ReadOnlySpan<byte>)bytes).Overlaps(packet.Payload, out int offset) && offset == 12, "the payload is a view of the bytes");
        Assert.Equal(188, packet.Bytes.Length);
    }

    [Fact]
    public void PacketWithoutAdaptationFieldHasItsPayloadRightAfterTheHeader()
    {
        Assert.True(MpegTsPacket.TryParse(Packet(0x01, 0x00, 0x15), out MpegTsPacket packet));

        Assert.Equal(0x100, packet.Pid);
        Assert.False(packet.PayloadUnitStart);
        Assert.False(packet.TransportError);
        Assert.Equal(5, packet.ContinuityCounter);
        Assert.False(packet.HasAdaptationField);
        Assert.False(packet.RandomAccessIndicator);
        Assert.True(packet.AdaptationField.IsEmpty);
        Assert.Equal(184, packet.Payload.Length);
    }

    [Fact]
    public void AdaptationFieldOnlyPacketHasNoPayload()
    {
        Assert.True(MpegTsPacket.TryParse(Packet(0x01, 0x00, 0x20, 183, 0x40), out MpegTsPacket packet));

        Assert.False(packet.HasPayload);
        Assert.True(packet.Payload.IsEmpty);
        Assert.True(packet.RandomAccessIndicator);
        Assert.Equal(183, packet.AdaptationField.Length);
    }

    [Fact]
    public void EmptyAdaptationFieldSetsNoRandomAccessIndicator()
    {
        // Length 0: the byte after it is the payload's first byte (0x40 here), not the adaptation field's flags.
        Assert.True(MpegTsPacket.TryParse(Packet(0x01, 0x00, 0x30, 0, 0x40), out MpegTsPacket packet));

        Assert.False(packet.RandomAccessIndicator);
        Assert.True(packet.AdaptationField.IsEmpty);
        Assert.Equal(183, packet.Payload.Length);
        Assert.Equal(0x40, packet.Payload[0]);
    }

    [Fact]
    public void ReservedAdaptationFieldControlCarriesNeitherField()
    {
        Assert.True(MpegTsPacket.TryParse(Packet(0x01, 0x00, 0x00), out MpegTsPacket packet));

        Assert.False(packet.HasPayload);
        Assert.False(packet.HasAdaptationField);
        Assert.True(packet.Payload.IsEmpty);
    }

    [Fact]
    public void OnlyTheFirst188BytesAreThePacket()
    {
        byte[] bytes = new byte[2 * MpegTsPacket.Size];
        Packet(0x40, 0x00, 0x10).CopyTo(bytes, 0);

        Assert.True(MpegTsPacket.TryParse(bytes, out MpegTsPacket packet));

        Assert.Equal(188, packet.Bytes.Length);
        Assert.Equal(184, packet.Payload.Length);
    }

    [Theory]
    [InlineData(0, MpegTsPacket.SyncByte)]
    [InlineData(187, MpegTsPacket.SyncByte)]
    [InlineData(188, 0x00)]
    [InlineData(188, 0x48)]
    public void BytesThatAreTooShortOrLackTheSyncByteAreNoPacket(int length, byte first)
    {
        byte[] bytes = new byte[length];
        if (length > 0)
        {
            bytes[0] = first;
            bytes[3] = 0x10;
        }

        Assert.False(MpegTsPacket.TryParse(bytes, out _));
    }

    [Theory]
    [InlineData(0x30, 184)]
    [InlineData(0x20, 184)]
    [InlineData(0x30, 255)]
    public void AdaptationFieldLongerThanThePacketIsRejected(byte control, byte length)
    {
        Assert.False(MpegTsPacket.TryParse(Packet(0x00, 0x00, control, length), out _));
    }

    [Fact]
    public void RandomBytesAfterTheSyncByteNeverThrow()
    {
        var random = new Random(3);
        byte[] bytes = new byte[MpegTsPacket.Size];
        int parsed = 0;
        for (int i = 0; i < 10_000; i++)
        {
            random.NextBytes(bytes);
            bytes[0] = MpegTsPacket.SyncByte;
            if (MpegTsPacket.TryParse(bytes, out MpegTsPacket packet))
            {
                parsed++;
                int length = packet.Pid + packet.ContinuityCounter + packet.AdaptationField.Length + packet.Payload.Length;
                Assert.InRange(packet.AdaptationField.Length + packet.Payload.Length, 0, 184);
                Assert.True(length >= 0);
                _ = packet.RandomAccessIndicator;
            }
        }

        Assert.InRange(parsed, 1, 10_000);
    }
}
