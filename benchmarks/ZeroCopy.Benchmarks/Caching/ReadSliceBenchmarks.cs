using System.Buffers;
using BenchmarkDotNet.Attributes;

namespace ZeroCopy.Benchmarks.Caching;

/// <summary>
/// The book's first two measurements in .NET: take a 20 MiB chunk at a seek offset out of a 1 GiB cache, by copying
/// it (the naive way) or by taking a view of the cache's memory (ZeroCopy).
/// </summary>
/// <remarks>
/// The copying cases read from a plain 1 GiB <c>byte[]</c>, the naive cache; the view cases read from a
/// <see cref="VideoCache"/> with the default 64 MiB segments. Both hold the same random bytes, written once in
/// <see cref="Setup"/> so that every page is really backed by memory.
/// </remarks>
[MemoryDiagnoser]
public class ReadSliceBenchmarks
{
    /// <summary>The cache: 1 GiB.</summary>
    public const long CacheSize = 1L << 30;

    /// <summary>The chunk a client asks for: 20 MiB.</summary>
    public const int SliceSize = 20 * 1024 * 1024;

    /// <summary>A seek offset whose chunk lies inside one segment (segment 1).</summary>
    public const long ContiguousOffset = VideoCache.DefaultSegmentSize + 1234;

    /// <summary>A seek offset whose chunk straddles the boundary between segments 1 and 2.</summary>
    public const long CrossingOffset = (2L * VideoCache.DefaultSegmentSize) - (SliceSize / 2);

    private byte[] _array = [];
    private VideoCache _cache = null!;

    /// <summary>Fills both caches with the same random bytes.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _array = GC.AllocateUninitializedArray<byte>(checked((int)CacheSize));
        new Random(42).NextBytes(_array);

        _cache = new VideoCache(CacheSize);
        _cache.Write(0, _array);

        if (!_cache.ReadSlice(ContiguousOffset, SliceSize).IsSingleSegment || _cache.ReadSlice(CrossingOffset, SliceSize).IsSingleSegment)
        {
            throw new InvalidOperationException($"The offsets do not fall where the benchmark says: {_cache}.");
        }
    }

    /// <summary>Drops the caches.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _cache.Dispose();
        _array = [];
    }

    /// <summary>
    /// The naive way of Brett Slatkin's <i>Effective Python: 90 Specific Ways to Write Better Python</i> (2nd
    /// edition), <c>video_data[o:o + size]</c>: a new 20 MiB array, filled by a copy.
    /// </summary>
    /// <returns>The copy.</returns>
    [Benchmark(Baseline = true)]
    public byte[] CopyToNewArray() => _array.AsSpan((int)ContiguousOffset, SliceSize).ToArray();

    /// <summary>The careful copying way: a copy into a buffer rented from the shared pool, returned after use.</summary>
    /// <returns>The rented buffer's length, so that the work is not optimized away.</returns>
    [Benchmark]
    public int CopyIntoRentedArray()
    {
        byte[] rented = ArrayPool<byte>.Shared.Rent(SliceSize);
        _array.AsSpan((int)ContiguousOffset, SliceSize).CopyTo(rented);
        ArrayPool<byte>.Shared.Return(rented);
        return rented.Length;
    }

    /// <summary>The BCL's own view, the peer of Python's memoryview: <c>byte[].AsMemory(offset, length)</c> (2 GiB limit).</summary>
    /// <returns>The view.</returns>
    [Benchmark]
    public ReadOnlyMemory<byte> ArrayAsMemory() => _array.AsMemory((int)ContiguousOffset, SliceSize);

    /// <summary>ZeroCopy: a sequence over one segment.</summary>
    /// <returns>The view.</returns>
    [Benchmark]
    public ReadOnlySequence<byte> ReadSliceInOneSegment() => _cache.ReadSlice(ContiguousOffset, SliceSize);

    /// <summary>ZeroCopy: a sequence over two chained segments.</summary>
    /// <returns>The view.</returns>
    [Benchmark]
    public ReadOnlySequence<byte> ReadSliceAcrossSegments() => _cache.ReadSlice(CrossingOffset, SliceSize);

    /// <summary>ZeroCopy's fast path: one contiguous <see cref="ReadOnlyMemory{T}"/> inside a segment.</summary>
    /// <returns>The view.</returns>
    [Benchmark]
    public ReadOnlyMemory<byte> TryReadMemory()
    {
        _cache.TryReadMemory(ContiguousOffset, SliceSize, out ReadOnlyMemory<byte> memory);
        return memory;
    }
}
