namespace ZeroCopy.Tests.Infrastructure;

/// <summary>
/// One cache of 2.5 GiB in 1 GiB segments (the last one 512 MiB), shared by the tests of one class and disposed
/// after them. Only the pages the tests touch become resident.
/// </summary>
public sealed class LargeCacheFixture : IDisposable
{
    public const long TwoGiB = 1L << 31;
    public const long Capacity = TwoGiB + (512L * 1024 * 1024);

    public VideoCache Cache { get; } = new(Capacity, VideoCache.MaxSegmentSize);

    public void Dispose() => Cache.Dispose();
}
