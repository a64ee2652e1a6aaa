using System.Runtime.CompilerServices;
using BenchmarkDotNet.Attributes;
using ZeroCopy.Benchmarks.Infrastructure;

namespace ZeroCopy.Benchmarks.IO;

/// <summary>
/// The receive measurement with the fake socket of Brett Slatkin's <i>Effective Python: 90 Specific Ways to Write
/// Better Python</i> (2nd edition): a stream that serves bytes from memory (<see cref="InMemorySourceStream"/>), so
/// that what each way costs in memory traffic shows without the kernel.
/// </summary>
/// <remarks>1 MiB per operation lands in a 100 MiB cache at a write position that moves forward and wraps.</remarks>
[MemoryDiagnoser]
public class StreamReadBenchmarks
{
    /// <summary>The size of each read: 1 MiB.</summary>
    public const int ChunkSize = 1024 * 1024;

    /// <summary>The cache the chunks land in: 100 MiB.</summary>
    public const int CacheSize = 100 * 1024 * 1024;

    private InMemorySourceStream _source = null!;
    private byte[] _naiveCache = [];
    private VideoCache _cache = null!;
    private byte[] _buffer = [];
    private byte[] _largeArray = [];
    private int _offset;

    /// <summary>Creates the source and allocates the caches.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _source = new InMemorySourceStream();
        _naiveCache = new byte[CacheSize];
        _naiveCache.AsSpan().Fill(0x5A);
        _cache = new VideoCache(CacheSize);
        _cache.Write(0, _naiveCache);
        _buffer = new byte[ChunkSize];
        _largeArray = (byte[])_naiveCache.Clone();
    }

    /// <summary>Drops the source and the caches.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _source.Dispose();
        _cache.Dispose();
    }

    /// <summary>The naive way: read into a new 1 MiB array, then build a new 100 MiB cache around it.</summary>
    /// <returns>The new cache's length.</returns>
    [Benchmark(Baseline = true)]
    public async ValueTask<int> ReadNewArrayThenSplice()
    {
        byte[] chunk = new byte[ChunkSize];
        await _source.ReadExactlyAsync(chunk);
        _naiveCache = Splice.Into(_naiveCache, NextOffset(), chunk);
        return _naiveCache.Length;
    }

    /// <summary>ZeroCopy: the bytes land in the cache at the write position, in place.</summary>
    /// <returns>The number of bytes read.</returns>
    [Benchmark]
    public ValueTask<long> ReadIntoCache() => _cache.ReadIntoAsync(_source, NextOffset(), ChunkSize);

    /// <summary>The ceiling: one read into a reused plain array (the one copy any read must make).</summary>
    /// <returns>The number of bytes read.</returns>
    [Benchmark]
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<int> ReadIntoArray() =>
        await _source.ReadAtLeastAsync(_buffer, _buffer.Length, throwOnEndOfStream: true);

    /// <summary>
    /// The same ceiling, landing where the cache's bytes land: a plain 100 MiB array at the same moving write position,
    /// so that the destination's place in the memory hierarchy is the cache's, not a 1 MiB buffer that stays in L2.
    /// </summary>
    /// <returns>The number of bytes read.</returns>
    [Benchmark]
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<int> ReadIntoLargeArray() =>
        await _source.ReadAtLeastAsync(_largeArray.AsMemory(NextOffset(), ChunkSize), ChunkSize, throwOnEndOfStream: true);

    private int NextOffset()
    {
        int offset = _offset;
        _offset = (offset + ChunkSize) % CacheSize;
        return offset;
    }
}
