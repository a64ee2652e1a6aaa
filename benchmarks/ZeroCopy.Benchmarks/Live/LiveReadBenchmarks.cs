using System.Buffers;
using BenchmarkDotNet.Attributes;

namespace ZeroCopy.Benchmarks.Live;

/// <summary>
/// A viewer's read of a live cache: take the 1 MiB it has not read yet. The writer is idle, so this is the cost of one
/// read itself, repeated on the same data.
/// </summary>
[MemoryDiagnoser]
public class LiveReadBenchmarks
{
    /// <summary>The bytes waiting for the viewer: 1 MiB.</summary>
    public const int AvailableSize = 1024 * 1024;

    /// <summary>The ring: 64 MiB.</summary>
    public const long Capacity = 64L * 1024 * 1024;

    private readonly object _gate = new();
    private byte[] _ring = [];
    private LiveCache _cache = null!;
    private LiveReader _reader = null!;
    private VideoCache _videoCache = null!;

    /// <summary>Creates the reader at the start of the live stream, then writes 1 MiB into each cache for it to find.</summary>
    [GlobalSetup]
    public void Setup()
    {
        byte[] data = new byte[AvailableSize];
        new Random(3).NextBytes(data);

        _ring = new byte[Capacity];
        data.CopyTo(_ring, 0);

        _cache = new LiveCache(new LiveCacheOptions { Capacity = Capacity });
        _reader = _cache.CreateReader();
        _cache.Write(data);

        _videoCache = new VideoCache(Capacity);
        _videoCache.Write(0, data);

        if (LiveCacheReadAsync() != AvailableSize)
        {
            throw new InvalidOperationException($"The reader sees {LiveCacheReadAsync()} bytes, not {AvailableSize}: {_reader}.");
        }
    }

    /// <summary>Drops the caches.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _reader.Dispose();
        _cache.Dispose();
        _videoCache.Dispose();
    }

    /// <summary>The naive safe read: copy the unread bytes out of a plain ring under the writer's lock.</summary>
    /// <returns>The copy.</returns>
    [Benchmark(Baseline = true)]
    public byte[] LockAndCopy()
    {
        lock (_gate)
        {
            return _ring.AsSpan(0, AvailableSize).ToArray();
        }
    }

    /// <summary>
    /// ZeroCopy: <see cref="LiveReader.ReadAsync"/> (completes synchronously: data is there) and
    /// <see cref="LiveReader.AdvanceTo"/> back to the same position, so the next call sees the same bytes.
    /// </summary>
    /// <returns>The length of the view.</returns>
    [Benchmark]
    public long LiveCacheReadAsync()
    {
        ValueTask<LiveReadResult> read = _reader.ReadAsync();
        if (!read.IsCompletedSuccessfully)
        {
            throw new InvalidOperationException("The read did not complete synchronously.");
        }

        LiveReadResult result = read.Result;
        _reader.AdvanceTo(result.Position);
        return result.Buffer.Length;
    }

    /// <summary>For reference: the same 1 MiB as a slice of a <see cref="VideoCache"/>, which has no writer to guard against.</summary>
    /// <returns>The view.</returns>
    [Benchmark]
    public ReadOnlySequence<byte> VideoCacheReadSlice() => _videoCache.ReadSlice(0, AvailableSize);
}
