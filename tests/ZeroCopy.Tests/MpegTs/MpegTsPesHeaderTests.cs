using ZeroCopy.Tests.Infrastructure;

namespace ZeroCopy.Tests.MpegTs;

public class MpegTsPesHeaderTests
{
    private const long MaxTimestamp = (1L << 33) - 1;

    /// <summary>A video PES header with the given time stamps, <paramref name="stuffing"/> extra header bytes, then 00 00 01 65.</summary>
    private static byte[] Pes(long? pts, long? dts = null, int stuffing = 0, byte streamId = 0xE0)
    {
        int timestamps = pts is null ? 0 : dts is null ? 5 : 10;
        byte flags = (byte)(pts is null ? 0x00 : dts is null ? 0x80 : 0xC0);
        byte[] pes = [0x00, 0x00, 0x01, streamId, 0x00, 0x00, 0x80, flags, (byte)(timestamps + stuffing), .. new byte[timestamps + stuffing], 0x00, 0x00, 0x01, 0x65];
        if (pts is { } p)
        {
            TransportStreamBuilder.WriteTimestamp(pes.AsSpan(9), dts is null ? 0b0010 : 0b0011, p);
        }

        if (dts is { } d)
        {
            TransportStreamBuilder.WriteTimestamp(pes.AsSpan(14), 0b0001, d);
        }

        return pes;
    }

    [Fact]
    public void PtsAndDtsAreRead()
    {
        Assert.True(MpegTsPesHeader.TryRead(Pes(pts: 133_200, dts: 126_000), out MpegTsPesHeader header));

        Assert.Equal(0xE0, header.StreamId);
        Assert.Equal(133_200, header.Pts);
        Assert.Equal(126_000, header.Dts);
        Assert.Equal(19, header.HeaderLength);
    }

    [Theory]
    [InlineData(0L, MaxTimestamp)]
    [InlineData(MaxTimestamp, 0L)]
    [InlineData(MaxTimestamp, MaxTimestamp)]
    [InlineData(0x1_2345_6789L, 0x0_9876_5432L)]
    public void TimeStampsUseAll33Bits(long pts, long dts)
    {
        Assert.True(MpegTsPesHeader.TryRead(Pes(pts, dts), out MpegTsPesHeader header));

        Assert.Equal(pts, header.Pts);
        Assert.Equal(dts, header.Dts);
    }

    [Fact]
    public void PtsAloneLeavesDtsUnset()
    {
        Assert.True(MpegTsPesHeader.TryRead(Pes(pts: MaxTimestamp), out MpegTsPesHeader header));

        Assert.Equal(MaxTimestamp, header.Pts);
        Assert.Null(header.Dts);
        Assert.Equal(14, header.HeaderLength);
    }

    [Fact]
    public void HeaderWithoutTimeStampsIsRead()
    {
        Assert.True(MpegTsPesHeader.TryRead(Pes(pts: null), out MpegTsPesHeader header));

        Assert.Null(header.Pts);
        Assert.Null(header.Dts);
        Assert.Equal(9, header.HeaderLength);
    }

    [Fact]
    public void HeaderLengthCountsStuffingAfterTheTimeStamps()
    {
        byte[] pes = Pes(pts: 90_000, stuffing: 3);

        Assert.True(MpegTsPesHeader.TryRead(pes, out MpegTsPesHeader header));

        Assert.Equal(17, header.HeaderLength);
        Assert.Equal([0x00, 0x00, 0x01, 0x65], pes[header.HeaderLength..]);
    }

    [Theory]
    [InlineData(0xBE)] // padding
    [InlineData(0xBF)] // private stream 2
    public void StreamsWithoutAnOptionalHeaderHaveTheirDataAfterSixBytes(byte streamId)
    {
        Assert.True(MpegTsPesHeader.TryRead([0x00, 0x00, 0x01, streamId, 0x00, 0x02, 0xFF, 0xFF], out MpegTsPesHeader header));

        Assert.Equal(streamId, header.StreamId);
        Assert.Equal(6, header.HeaderLength);
        Assert.Null(header.Pts);
    }

    [Fact]
    public void ForbiddenTimeStampFlagsAreRejected()
    {
        byte[] pes = Pes(pts: 90_000);
        pes[7] = 0x40; // PTS_DTS_flags 01

        Assert.False(MpegTsPesHeader.TryRead(pes, out _));
    }

    [Fact]
    public void HeaderDataTooShortForItsTimeStampsIsRejected()
    {
        byte[] pes = Pes(pts: 90_000, dts: 0);
        pes[8] = 9; // PTS and DTS need 10 bytes

        Assert.False(MpegTsPesHeader.TryRead(pes, out _));
    }

    [Fact]
    public void PayloadWithoutAStartCodeIsRejected()
    {
        byte[] pes = Pes(pts: 90_000);
        pes[2] = 0x02;

        Assert.False(MpegTsPesHeader.TryRead(pes, out _));
    }

    [Fact]
    public void TruncatedHeadersAreRejectedWithoutThrowing()
    {
        byte[] pes = Pes(pts: 90_000, dts: 86_400);
        for (int length = 0; length < 19; length++)
        {
            Assert.False(MpegTsPesHeader.TryRead(pes.AsSpan(0, length), out _), $"cut to {length} bytes");
        }

        Assert.True(MpegTsPesHeader.TryRead(pes.AsSpan(0, 19), out _));
    }

    [Theory]
    [InlineData(5L, 5L, 5L)]
    [InlineData(10L, (1L << 33) - 10, (1L << 33) + 10)] // wrapped forwards past 2^33
    [InlineData((1L << 33) - 10, 10L, -10L)] // a little before the reference, across the wrap
    [InlineData(100L, (3L << 33) + 50, (3L << 33) + 100)] // the reference is already several periods on
    [InlineData(3L << 31, 0L, -(1L << 31))] // three quarters of a period ahead is a quarter behind
    public void TimeStampsAreUnwrappedNearTheReference(long timestamp, long reference, long expected)
    {
        Assert.Equal(expected, MpegTsPesHeader.UnwrapTimestamp(timestamp, reference));
    }

    [Fact]
    public void ToStringDescribesTheHeader()
    {
        Assert.True(MpegTsPesHeader.TryRead(Pes(pts: 1), out MpegTsPesHeader header));

        Assert.Contains("0xE0", header.ToString(), StringComparison.Ordinal);
        Assert.Contains("MpegTsPesHeader", default(MpegTsPesHeader).ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0L, 0L)]
    [InlineData(90_000L, 10_000_000L)]
    [InlineData(3_600L, 400_000L)]
    [InlineData(1L, 111L)] // 111.1 ticks of 100 ns, truncated
    [InlineData(8_589_934_592L + 90_000L, 954_447_176_888L)] // past the wrap, unwrapped: 95,444.7 s
    public void ToTimeSpanConvertsTheNinetyKilohertzClock(long timestamp, long expectedTicks)
    {
        Assert.Equal(TimeSpan.FromTicks(expectedTicks), MpegTsPesHeader.ToTimeSpan(timestamp));
    }
}
