namespace MediaServer.Tests.Cli;

/// <summary>Bit rates on the command line: SI prefixes, an optional unit, no exceptions.</summary>
public sealed class BitRateTests
{
    [Theory]
    [InlineData("8000000", 8_000_000)]
    [InlineData("8M", 8_000_000)]
    [InlineData("8m", 8_000_000)]
    [InlineData("4500k", 4_500_000)]
    [InlineData("2.5Mbps", 2_500_000)]
    [InlineData("20 Mbit/s", 20_000_000)]
    [InlineData("1G", 1_000_000_000)]
    [InlineData("640kb/s", 640_000)]
    public void ValidBitRatesParse(string text, long expected)
    {
        Assert.True(BitRate.TryParse(text, out long bitsPerSecond));
        Assert.Equal(expected, bitsPerSecond);
    }

    [Theory]
    [InlineData("")]
    [InlineData("M")]
    [InlineData("0")]
    [InlineData("-8M")]
    [InlineData("8Q")]
    [InlineData("8MiB")]
    [InlineData("1.2.3M")]
    [InlineData("99999999999999999999G")]
    public void InvalidBitRatesAreRefusedWithoutThrowing(string text) => Assert.False(BitRate.TryParse(text, out _));

    [Theory]
    [InlineData(8_000_000, "8 Mbit/s")]
    [InlineData(4_500_000, "4.5 Mbit/s")]
    [InlineData(640_000, "640 kbit/s")]
    public void BitRatesFormatWithTheirPrefix(long bitsPerSecond, string expected) => Assert.Equal(expected, BitRate.Format(bitsPerSecond));
}
