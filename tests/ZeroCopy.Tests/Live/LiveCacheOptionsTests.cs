using ZeroCopy.Tests.Infrastructure;

namespace ZeroCopy.Tests.Live;

public class LiveCacheOptionsTests
{
    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    [InlineData(LiveCache.MinCapacity - 1)]
    public void CapacityBelowTheMinimumIsRejectedWithTheValueInTheMessage(long capacity)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new LiveCache(new LiveCacheOptions { Capacity = capacity }));

        Assert.Contains(capacity.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
        Assert.Contains("Capacity", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ACapacityThatNeedsMoreSegmentsThanAnArrayHoldsIsRejectedBeforeAnythingIsAllocated()
    {
        long capacity = (long)Array.MaxLength * VideoCache.MinSegmentSize;

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new LiveCache(new LiveCacheOptions { Capacity = capacity, SegmentSize = VideoCache.MinSegmentSize }));

        Assert.Equal("Capacity", error.ParamName);
        Assert.Contains(capacity.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2048)]
    [InlineData(5000)]
    [InlineData(int.MaxValue)]
    public void SegmentSizeThatIsNotAPowerOfTwoInRangeIsRejected(int segmentSize)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new LiveCache(new LiveCacheOptions { Capacity = 64 * 1024, SegmentSize = segmentSize }));

        Assert.Contains("SegmentSize", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UndefinedLaggingReaderPolicyIsRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            new LiveCache(new LiveCacheOptions { Capacity = 64 * 1024, LaggingReaderPolicy = (LaggingReaderPolicy)7 }));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-188)]
    [InlineData(64 * 1024 / 8 + 1)]
    public void DetectorUnitOutsideOneToAnEighthOfTheCapacityIsRejected(int unitSize)
    {
        var options = new LiveCacheOptions { Capacity = 64 * 1024, SyncPointDetector = new FixedUnitDetector(unitSize) };

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new LiveCache(options));

        Assert.Contains("UnitSize", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NullOptionsAreRejected() => Assert.Throws<ArgumentNullException>(() => new LiveCache(null!));

    [Fact]
    public void DefaultsAreTheVideoCachesSegmentSizeAndSkippingToSyncPoints()
    {
        var options = new LiveCacheOptions { Capacity = 64 * 1024 };

        using var cache = new LiveCache(options);

        Assert.Equal(VideoCache.DefaultSegmentSize, options.SegmentSize);
        Assert.Equal(LaggingReaderPolicy.SkipToSyncPoint, cache.LaggingReaderPolicy);
        Assert.Equal(64 * 1024, cache.Capacity);
        Assert.Equal(0, cache.WritePosition);
        Assert.Equal(0, cache.OldestPosition);
        Assert.False(cache.IsCompleted);
        Assert.Equal(0, cache.ReaderCount);
        Assert.Contains("LiveCache", cache.ToString(), StringComparison.Ordinal);
    }

    private sealed class FixedUnitDetector(int unitSize) : ISyncPointDetector
    {
        public int UnitSize => unitSize;

        public bool Inspect(long position, ReadOnlySpan<byte> data, out SyncPoint syncPoint)
        {
            syncPoint = default;
            return false;
        }
    }
}
