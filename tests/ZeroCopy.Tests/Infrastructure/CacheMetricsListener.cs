using System.Diagnostics.Metrics;

namespace ZeroCopy.Tests.Infrastructure;

/// <summary>
/// Listens to the video cache's instruments and keeps running sums without allocating in its callback, so that an
/// allocation test can run with it attached. The instruments are process-wide: tests that use it run in the
/// <see cref="CacheMetricsTestGroup"/>, alone.
/// </summary>
internal sealed class CacheMetricsListener : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _transmitted;
    private long _received;
    private long _activeSends;
    private long _activeReads;
    private long _transfersBegun;

    public CacheMetricsListener()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == VideoCache.MeterName && instrument.Name.StartsWith("zerocopy.cache.", StringComparison.Ordinal))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        // .NET 8's MeterListener.Dispose disables its instruments only when MeasurementsCompleted is set; without it the
        // instruments stay enabled after the listener leaves (fixed in .NET 9).
        _listener.MeasurementsCompleted = static (_, _) => { };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                switch (instrument.Name, tag.Key, tag.Value as string)
                {
                    case ("zerocopy.cache.io", "zerocopy.io.direction", "transmit"):
                        Interlocked.Add(ref _transmitted, value);
                        break;
                    case ("zerocopy.cache.io", "zerocopy.io.direction", "receive"):
                        Interlocked.Add(ref _received, value);
                        break;
                    case ("zerocopy.cache.active_transfers", "zerocopy.cache.operation", "send" or "write"):
                        Interlocked.Add(ref _activeSends, value);
                        CountBegun(value);
                        break;
                    case ("zerocopy.cache.active_transfers", "zerocopy.cache.operation", "receive" or "read"):
                        Interlocked.Add(ref _activeReads, value);
                        CountBegun(value);
                        break;
                }
            }
        });
        _listener.Start();
    }

    /// <summary>Bytes sent or written from caches.</summary>
    public long Transmitted => Volatile.Read(ref _transmitted);

    /// <summary>Bytes received or read into caches.</summary>
    public long Received => Volatile.Read(ref _received);

    /// <summary>Sends and writes in flight.</summary>
    public long ActiveSends => Volatile.Read(ref _activeSends);

    /// <summary>Receives and reads in flight.</summary>
    public long ActiveReads => Volatile.Read(ref _activeReads);

    /// <summary>Transfers counted in since the listener started.</summary>
    public long TransfersBegun => Volatile.Read(ref _transfersBegun);

    public void Dispose() => _listener.Dispose();

    private void CountBegun(long value)
    {
        if (value > 0)
        {
            Interlocked.Increment(ref _transfersBegun);
        }
    }
}

/// <summary>Runs the tests that listen to the process-wide cache instruments alone, so no other test's transfers count.</summary>
[CollectionDefinition(nameof(CacheMetricsTestGroup), DisableParallelization = true)]
public sealed class CacheMetricsTestGroup;
