using System.Diagnostics.Metrics;
using BenchmarkDotNet.Attributes;

namespace ZeroCopy.Benchmarks.Diagnostics;

/// <summary>
/// What the video cache's instruments cost a transfer: a 1 MiB range across two segments written to
/// <see cref="Stream.Null"/> (so the transfer itself is almost free and the instruments' cost shows), with no listener
/// attached (the <b>baseline</b>: the unmeasured path) and with a listener recording every instrument.
/// </summary>
[MemoryDiagnoser]
public class CacheMetricsBenchmarks
{
    private const int SegmentSize = 1 << 20;
    private VideoCache _cache = null!;
    private MeterListener? _listener;
    private long _recorded;

    /// <summary>With or without a listener on the <c>ZeroCopy</c> meter's cache instruments.</summary>
    [Params(false, true)]
    public bool Listening { get; set; }

    /// <summary>Allocates the cache and, when <see cref="Listening"/>, starts a listener that sums every measurement.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _cache = new VideoCache(4 * SegmentSize, SegmentSize);
        if (!Listening)
        {
            return;
        }

        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == VideoCache.MeterName && instrument.Name.StartsWith("zerocopy.cache.", StringComparison.Ordinal))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _recorded, value));
        _listener.Start();
    }

    /// <summary>Stops the listener and drops the cache.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _listener?.Dispose();
        _cache.Dispose();
    }

    /// <summary>One 1 MiB write of a range that crosses a segment boundary.</summary>
    /// <returns>A task that completes when the range is written.</returns>
    [Benchmark]
    public ValueTask WriteRange() => _cache.WriteToAsync(Stream.Null, SegmentSize / 2, SegmentSize);
}
