using System.Globalization;
using System.Threading.Channels;
using BenchmarkDotNet.Attributes;
using ZeroCopy.Benchmarks.Infrastructure;

namespace ZeroCopy.Benchmarks.Live;

/// <summary>
/// The live ingest: the writer takes the next 64 KiB of a live stream and makes it available to every viewer, alone and
/// with 64 viewers reading everything as fast as they can on other threads.
/// </summary>
/// <remarks>
/// The source is the in-memory fake socket (<see cref="InMemorySourceStream"/>), so the numbers are the writer's own
/// costs and the contention the viewers add, without the kernel. Throughput is 64 KiB divided by the mean. On a machine
/// with few cores, the viewers compete with the writer for CPU: that is part of what the case with viewers measures.
/// </remarks>
[MemoryDiagnoser]
public class LiveWriterBenchmarks
{
    /// <summary>The size of each ingest read: 64 KiB.</summary>
    public const int ChunkSize = 64 * 1024;

    /// <summary>The ring: 64 MiB, about 25 s of a 20 Mbps stream.</summary>
    public const long Capacity = 64L * 1024 * 1024;

    private InMemorySourceStream _source = null!;
    private LiveCache _cache = null!;
    private LiveViewers? _viewers;
    private Channel<byte[]>[] _queues = [];
    private Task<long>[] _queueViewers = [];
    private long _written;

    /// <summary>How many viewers read while the writer writes.</summary>
    [Params(0, 64)]
    public int Viewers { get; set; }

    /// <summary>Creates the source and the ring, and starts the viewers of the benchmark that runs.</summary>
    [GlobalSetup(Target = nameof(LiveCacheReadInto))]
    public void SetupLiveCache()
    {
        _source = new InMemorySourceStream();
        _cache = new LiveCache(new LiveCacheOptions { Capacity = Capacity, Name = "benchmark" });
        _viewers = new LiveViewers(_cache, Viewers);
    }

    /// <summary>Creates the source and one bounded queue per viewer, and starts the viewers that drain them.</summary>
    [GlobalSetup(Target = nameof(NewArrayToEveryViewerQueue))]
    public void SetupQueues()
    {
        _source = new InMemorySourceStream();
        var options = new BoundedChannelOptions((int)(Capacity / ChunkSize))
        {
            FullMode = BoundedChannelFullMode.DropOldest, // the writer never waits for a viewer
            SingleReader = true,
            SingleWriter = true,
        };
        _queues = new Channel<byte[]>[Viewers];
        _queueViewers = new Task<long>[Viewers];
        for (int i = 0; i < Viewers; i++)
        {
            Channel<byte[]> queue = _queues[i] = Channel.CreateBounded<byte[]>(options);
            _queueViewers[i] = Task.Run(async () =>
            {
                long read = 0;
                await foreach (byte[] chunk in queue.Reader.ReadAllAsync().ConfigureAwait(false))
                {
                    read += chunk.Length;
                }

                return read;
            });
        }
    }

    /// <summary>Ends the stream, stops the viewers, says how much they read (in the log), and drops the ring.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        if (_cache is not null)
        {
            _cache.Complete();
            long written = _cache.WritePosition;
            _viewers?.Dispose();
            if (_viewers is { } viewers && Viewers > 0)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"// LiveCache: {Viewers} viewers read {viewers.BytesRead / (double)Viewers / written:P1} of the {written:N0} bytes written, on average; {viewers.Restarts} restarts after a cut-off"));
            }

            _cache.Dispose();
        }

        foreach (Channel<byte[]> queue in _queues)
        {
            queue.Writer.Complete();
        }

        if (Task.WaitAll(_queueViewers, TimeSpan.FromSeconds(10)) && Viewers > 0 && _queues.Length > 0)
        {
            long read = _queueViewers.Sum(viewer => viewer.Result);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"// Queues: {Viewers} viewers read {read / (double)Viewers / _written:P1} of the {_written:N0} bytes written, on average"));
        }

        _source.Dispose();
    }

    /// <summary>
    /// The naive fan-out: read each chunk into a new array and post it to every viewer's own queue (bounded, dropping
    /// the oldest chunk when a viewer lags, so the writer never waits).
    /// </summary>
    /// <returns>The number of bytes read.</returns>
    [Benchmark(Baseline = true)]
    public async ValueTask<int> NewArrayToEveryViewerQueue()
    {
        byte[] chunk = new byte[ChunkSize];
        await _source.ReadExactlyAsync(chunk);
        foreach (Channel<byte[]> queue in _queues)
        {
            queue.Writer.TryWrite(chunk);
        }

        _written += chunk.Length;
        return chunk.Length;
    }

    /// <summary>ZeroCopy: read straight into the ring and publish, O(1) whatever the number of viewers.</summary>
    /// <returns>The number of bytes read and published.</returns>
    [Benchmark]
    public ValueTask<int> LiveCacheReadInto() => _cache.ReadIntoAsync(_source, ChunkSize);
}
