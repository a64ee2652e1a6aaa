using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace ZeroCopy.Diagnostics;

/// <summary>
/// The live cache's instruments. Every measurement carries the channel tag when the cache has a name. Recording costs one
/// enabled check when nobody listens; the reader count is observed only when a listener collects it.
/// </summary>
internal static class LiveMetrics
{
    public const string ChannelTag = "zerocopy.live.channel";
    public const string ReasonTag = "zerocopy.live.disconnect.reason";
    public const string ReasonLagging = "lagging";
    public const string ReasonInFlight = "in_flight";

    /// <summary>
    /// The lag histogram's bucket boundaries: powers of four from 16 KiB to 4 GiB, so that lags on rings of a few MiB to
    /// several GiB land in distinct buckets (the default boundaries stop at 10,000). Declared before the instruments,
    /// which read it: static fields are initialised in order.
    /// </summary>
    internal static IReadOnlyList<long> LagBucketBoundaries { get; } =
        [16L << 10, 64L << 10, 256L << 10, 1L << 20, 4L << 20, 16L << 20, 64L << 20, 256L << 20, 1L << 30, 4L << 30];

    // The live caches not yet disposed, for the observed reader count; weak, so an undisposed cache is still collected.
    private static readonly ConditionalWeakTable<LiveCache, object?> s_caches = new();

    /// <summary>Bytes the writer published (Counter, By).</summary>
    public static readonly Counter<long> Ingested =
        ZeroCopyMeter.Meter.CreateCounter<long>("zerocopy.live.ingested", "By", "Bytes the live cache's writer published.");

    /// <summary>
    /// Readers open now, per channel (ObservableUpDownCounter): observed at collection time, so a tool that attaches late
    /// still reads the true count.
    /// </summary>
    public static readonly ObservableUpDownCounter<long> ReaderCount =
        ZeroCopyMeter.Meter.CreateObservableUpDownCounter("zerocopy.live.reader.count", ObserveReaderCounts, "{reader}", "Live readers currently open.");

    /// <summary>How far behind the newest published byte a reader is when it takes data (Histogram, By).</summary>
    public static readonly Histogram<long> ReaderLag = CreateLagHistogram();

    /// <summary>Times a lagging reader was moved forward to a sync point (Counter).</summary>
    public static readonly Counter<long> Skips =
        ZeroCopyMeter.Meter.CreateCounter<long>("zerocopy.live.reader.skips", "{skip}", "Times a lagging reader was moved forward to a sync point.");

    /// <summary>Stream bytes that lagging readers skipped (Counter, By).</summary>
    public static readonly Counter<long> Skipped =
        ZeroCopyMeter.Meter.CreateCounter<long>("zerocopy.live.reader.skipped", "By", "Stream bytes lagging readers skipped to reach a sync point.");

    /// <summary>Readers cut off because the writer lapped them (Counter), tagged with the reason.</summary>
    public static readonly Counter<long> Disconnects =
        ZeroCopyMeter.Meter.CreateCounter<long>("zerocopy.live.reader.disconnects", "{reader}", "Readers cut off because the writer lapped them (reason: lagging or in_flight).");

    /// <summary>Counts <paramref name="cache"/> in the observed reader count until it is disposed or collected.</summary>
    public static void Track(LiveCache cache) => s_caches.AddOrUpdate(cache, null);

    /// <summary>Stops counting <paramref name="cache"/>.</summary>
    public static void Untrack(LiveCache cache) => s_caches.Remove(cache);

    private static Histogram<long> CreateLagHistogram()
    {
        const string name = "zerocopy.live.reader.lag";
        const string description = "Bytes between a reader's position and the newest published byte, recorded on each read or send.";
#if NET9_0_OR_GREATER
        return ZeroCopyMeter.Meter.CreateHistogram(name, "By", description, tags: null, new InstrumentAdvice<long> { HistogramBucketBoundaries = LagBucketBoundaries });
#else
        // Bucket advice needs System.Diagnostics.DiagnosticSource 9; on .NET 8, configure a view with LagBucketBoundaries' values.
        return ZeroCopyMeter.Meter.CreateHistogram<long>(name, "By", description);
#endif
    }

    // One measurement per channel name (caches without a name share the untagged one), summed over the caches.
    private static IEnumerable<Measurement<long>> ObserveReaderCounts()
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        long unnamed = 0;
        bool anyUnnamed = false;
        foreach (KeyValuePair<LiveCache, object?> entry in s_caches)
        {
            LiveCache cache = entry.Key;
            if (cache.Name is null)
            {
                anyUnnamed = true;
                unnamed += cache.ReaderCount;
            }
            else
            {
                counts[cache.Name] = counts.GetValueOrDefault(cache.Name) + cache.ReaderCount;
            }
        }

        foreach (KeyValuePair<string, long> count in counts)
        {
            yield return new Measurement<long>(count.Value, new KeyValuePair<string, object?>(ChannelTag, count.Key));
        }

        if (anyUnnamed)
        {
            yield return new Measurement<long>(unnamed);
        }
    }
}
