using System.Diagnostics.Metrics;

namespace ZeroCopy;

/// <summary>
/// The live cache's instruments, on the library's <see cref="Meter"/> named <c>ZeroCopy</c>. Every measurement carries the
/// channel tag when the cache has a name. Recording costs one enabled check when nobody listens.
/// </summary>
internal static class LiveMetrics
{
    public const string MeterName = "ZeroCopy";
    public const string ChannelTag = "zerocopy.live.channel";
    public const string ReasonTag = "zerocopy.live.disconnect.reason";
    public const string ReasonLagging = "lagging";
    public const string ReasonInFlight = "in_flight";

    private static readonly Meter s_meter = new(MeterName);

    /// <summary>Bytes the writer published (Counter, By).</summary>
    public static readonly Counter<long> BytesIngested =
        s_meter.CreateCounter<long>("zerocopy.live.bytes_ingested", "By", "Bytes the live cache's writer published.");

    /// <summary>Open readers (UpDownCounter).</summary>
    public static readonly UpDownCounter<long> Readers =
        s_meter.CreateUpDownCounter<long>("zerocopy.live.readers", "{reader}", "Live readers currently open.");

    /// <summary>How far behind the newest published byte a reader is when it takes data (Histogram, By).</summary>
    public static readonly Histogram<long> ReaderLag =
        s_meter.CreateHistogram<long>("zerocopy.live.reader.lag", "By", "Bytes between a reader's position and the newest published byte, recorded on each read or send.");

    /// <summary>Times a lagging reader was moved forward to a sync point (Counter).</summary>
    public static readonly Counter<long> Skips =
        s_meter.CreateCounter<long>("zerocopy.live.reader.skips", "{skip}", "Times a lagging reader was moved forward to a sync point.");

    /// <summary>Stream bytes that lagging readers skipped (Counter, By).</summary>
    public static readonly Counter<long> BytesSkipped =
        s_meter.CreateCounter<long>("zerocopy.live.reader.bytes_skipped", "By", "Stream bytes lagging readers skipped to reach a sync point.");

    /// <summary>Readers cut off because the writer lapped them (Counter), tagged with the reason.</summary>
    public static readonly Counter<long> Disconnects =
        s_meter.CreateCounter<long>("zerocopy.live.reader.disconnects", "{reader}", "Readers cut off because the writer lapped them (reason: lagging or in_flight).");
}
