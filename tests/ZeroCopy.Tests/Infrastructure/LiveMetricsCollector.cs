using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace ZeroCopy.Tests.Infrastructure;

/// <summary>Listens to the "ZeroCopy" meter's live instruments and keeps the measurements tagged with one channel.</summary>
internal sealed class LiveMetricsCollector : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(string Instrument, long Value, string? Reason)> _measurements = new();

    public LiveMetricsCollector(string channel)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == LiveCache.MeterName && instrument.Name.StartsWith("zerocopy.live.", StringComparison.Ordinal))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string? tagChannel = null;
            string? reason = null;
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                if (tag.Key == "zerocopy.live.channel")
                {
                    tagChannel = tag.Value as string;
                }
                else if (tag.Key == "zerocopy.live.disconnect.reason")
                {
                    reason = tag.Value as string;
                }
            }

            if (tagChannel == channel)
            {
                _measurements.Enqueue((instrument.Name, value, reason));
            }
        });
        _listener.Start();
    }

    public long Sum(string instrument) => _measurements.Where(m => m.Instrument == instrument).Sum(m => m.Value);

    public int Count(string instrument) => _measurements.Count(m => m.Instrument == instrument);

    /// <summary>
    /// Collects the observable instruments now and returns the reader count observed for the channel, or
    /// <see langword="null"/> when the channel was not observed (no cache of that name is open).
    /// </summary>
    public long? ObserveReaderCount()
    {
        int before = Count("zerocopy.live.reader.count");
        _listener.RecordObservableInstruments();
        List<long> observed = _measurements.Where(m => m.Instrument == "zerocopy.live.reader.count").Select(m => m.Value).ToList();
        Assert.True(observed.Count <= before + 1, $"the channel was observed {observed.Count - before} times in one collection");
        return observed.Count == before ? null : observed[^1];
    }

    public IReadOnlyList<string?> Reasons(string instrument) => _measurements.Where(m => m.Instrument == instrument).Select(m => m.Reason).ToList();

    public void Dispose() => _listener.Dispose();
}
