using MediaServer.Cli;

namespace MediaServer.Tests.Cli;

/// <summary>The ring size from --live-buffer, or from --live-buffer-time at --live-max-bitrate, and the clear refusals.</summary>
public sealed class LiveBufferSizingTests
{
    [Fact]
    public void NothingGivenIsTheDefault32MiB()
    {
        Assert.True(LiveBufferSizing.TryResolve(null, null, null, out long size, out _));
        Assert.Equal(32L << 20, size);
    }

    [Fact]
    public void ASizeIsTakenAsItIs()
    {
        Assert.True(LiveBufferSizing.TryResolve(1L << 30, null, null, out long size, out _));
        Assert.Equal(1L << 30, size);
    }

    [Theory]
    [InlineData(1800, null, 1_800_000_000)]          // 30 min at the default 8 Mbit/s
    [InlineData(1800, 4_000_000L, 900_000_000)]      // 30 min at 4 Mbit/s
    [InlineData(90, 20_000_000L, 225_000_000)]       // 90 s at 20 Mbit/s
    [InlineData(1, 1_000_001L, 125_001)]             // rounded up to whole bytes
    public void ATimeIsSizedAtTheMaximumBitRate(double seconds, long? maxBitRate, long expected)
    {
        Assert.True(LiveBufferSizing.TryResolve(null, TimeSpan.FromSeconds(seconds), maxBitRate, out long size, out _));
        Assert.Equal(expected, size);
        Assert.Equal(seconds, LiveBufferSizing.TimeHeld(expected, maxBitRate ?? LiveBufferSizing.DefaultMaxBitRate).TotalSeconds, tolerance: 0.001);
    }

    [Theory]
    [InlineData(1L << 30, 60.0, null, "not both")]
    [InlineData(null, null, 8_000_000L, "--live-max-bitrate sizes --live-buffer-time")]
    [InlineData(null, 1.0, 100_000L, "1 s at 100 kbit/s needs 12.21 KiB; a ring must be between 64 KiB and")]
    [InlineData(null, 86_400.0 * 300, 1_000_000_000L, "needs")]
    public void ConflictsAndSizesOutOfRangeAreRefusedWithTheValues(long? size, double? seconds, long? maxBitRate, string message)
    {
        Assert.False(LiveBufferSizing.TryResolve(size, seconds is double s ? TimeSpan.FromSeconds(s) : null, maxBitRate, out _, out string? error));
        Assert.Contains(message, error, StringComparison.Ordinal);
    }
}
