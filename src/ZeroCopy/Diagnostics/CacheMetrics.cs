using System.Diagnostics.Metrics;

namespace ZeroCopy.Diagnostics;

/// <summary>
/// The video cache's instruments: bytes moved between the cache and sockets or streams, and transfers in flight. The
/// caches check <see cref="Enabled"/> first and take their unmeasured path when nobody listens, so the instruments cost
/// one field read per transfer then.
/// </summary>
internal static class CacheMetrics
{
    public const string DirectionTag = "zerocopy.io.direction";
    public const string OperationTag = "zerocopy.cache.operation";

    /// <summary>Bytes sent or written from the cache, or received or read into it (Counter, By), by direction.</summary>
    public static readonly Counter<long> Io =
        ZeroCopyMeter.Meter.CreateCounter<long>("zerocopy.cache.io", "By", "Bytes moved between a video cache and sockets or streams (direction: transmit or receive).");

    /// <summary>Transfers in flight (UpDownCounter), by operation.</summary>
    public static readonly UpDownCounter<long> ActiveTransfers =
        ZeroCopyMeter.Meter.CreateUpDownCounter<long>("zerocopy.cache.active_transfers", "{transfer}", "Video cache transfers in flight (operation: send, write, receive or read).");

    /// <summary>Whether any listener records either instrument.</summary>
    public static bool Enabled => Io.Enabled || ActiveTransfers.Enabled;

    /// <summary>Counts a transfer in; returns its operation's tag for <see cref="End"/>.</summary>
    public static KeyValuePair<string, object?> Begin(string operation)
    {
        var tag = new KeyValuePair<string, object?>(OperationTag, operation);
        ActiveTransfers.Add(1, tag);
        return tag;
    }

    /// <summary>Counts a transfer out, with the bytes it moved.</summary>
    public static void End(KeyValuePair<string, object?> operation, long bytes, bool transmit)
    {
        ActiveTransfers.Add(-1, operation);
        if (bytes > 0)
        {
            Io.Add(bytes, new KeyValuePair<string, object?>(DirectionTag, transmit ? "transmit" : "receive"));
        }
    }
}
