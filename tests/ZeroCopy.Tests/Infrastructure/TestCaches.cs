namespace ZeroCopy.Tests.Infrastructure;

/// <summary>
/// The store the cache and live suites run against. <c>./build.sh test</c> runs this assembly twice: with pinned arrays,
/// and with <c>ZEROCOPY_TEST_MEMORY=SharedMemory</c>, so every cache and live test holds for both stores byte for byte.
/// </summary>
internal static class TestCaches
{
    /// <summary>The store of this run.</summary>
    public static CacheMemory Memory { get; } =
        Enum.TryParse(Environment.GetEnvironmentVariable("ZEROCOPY_TEST_MEMORY"), out CacheMemory memory) ? memory : CacheMemory.PinnedArrays;

    /// <summary>A video cache in this run's store.</summary>
    public static VideoCache Video(long capacity, int segmentSize = VideoCache.DefaultSegmentSize) => new(capacity, segmentSize, Memory);

    /// <summary>
    /// This run's store for a ring of <paramref name="capacity"/> bytes: a ring whose size shared memory does not accept
    /// (<see cref="LiveCache.RoundUpCapacity"/>) stays in pinned arrays (the size rule has its own tests).
    /// </summary>
    public static CacheMemory LiveMemory(long capacity) =>
        Memory == CacheMemory.SharedMemory && LiveCache.RoundUpCapacity(capacity, CacheMemory.SharedMemory) == capacity ? CacheMemory.SharedMemory : CacheMemory.PinnedArrays;
}
