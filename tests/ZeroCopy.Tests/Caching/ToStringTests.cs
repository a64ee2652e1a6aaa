using ZeroCopy.Tests.Infrastructure;

namespace ZeroCopy.Tests.Caching;

public class ToStringTests
{
    [Fact]
    public void ToStringDescribesCapacityAndSegments()
    {
        using var cache = TestCaches.Video((3 * VideoCache.MinSegmentSize) + 5, VideoCache.MinSegmentSize);

        string text = cache.ToString();

        Assert.Contains($"{(3 * VideoCache.MinSegmentSize) + 5}", text, StringComparison.Ordinal);
        Assert.Contains($"4 x {VideoCache.MinSegmentSize}", text, StringComparison.Ordinal);
    }

    [Fact]
    public void ToStringOfAZeroCapacityCacheDoesNotThrow()
    {
        using var cache = TestCaches.Video(0, VideoCache.MinSegmentSize);

        string text = cache.ToString();

        Assert.Contains("Capacity = 0", text, StringComparison.Ordinal);
    }

    [Fact]
    public void ToStringAfterDisposeSaysDisposed()
    {
        var cache = TestCaches.Video(VideoCache.MinSegmentSize, VideoCache.MinSegmentSize);
        cache.Dispose();

        string first = cache.ToString();
        cache.Dispose();
        string second = cache.ToString();

        Assert.Contains("disposed", first, StringComparison.Ordinal);
        Assert.Equal(first, second);
    }
}
