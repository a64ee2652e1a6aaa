using ZeroCopy.Tests.Infrastructure;

namespace ZeroCopy.Tests.Live;

public class LiveMetricsTests
{
    private const int Capacity = 64 * 1024;

    [Fact]
    public async Task InstrumentsReportIngestReadersLagSkipsAndDisconnectsUnderTheChannelTag()
    {
        string channel = $"metrics-{Guid.NewGuid():N}";
        using var metrics = new LiveMetricsCollector(channel);
        using var skipping = new LiveCache(new LiveCacheOptions { Capacity = Capacity, Memory = TestCaches.LiveMemory(Capacity), SegmentSize = 4096, SyncPointDetector = new LiveRecordDetector(), Name = channel });
        using var disconnecting = new LiveCache(new LiveCacheOptions { Capacity = Capacity, Memory = TestCaches.LiveMemory(Capacity), SegmentSize = 4096, LaggingReaderPolicy = LaggingReaderPolicy.Disconnect, Name = channel });
        var writer = new LiveRecordWriter(skipping, recordsPerWrite: 16);
        writer.WriteBatch();

        LiveReader holding = skipping.CreateReader();
        LiveReader lagging = skipping.CreateReader();
        LiveReader disconnected = disconnecting.CreateReader();
        Assert.Equal(3, metrics.ObserveReaderCount());

        writer.WriteBatch();
        await holding.ReadAsync().Within(); // Holds its buffer while the writer laps it: cut off in flight.
        for (int i = 0; i < 3 * Capacity / (16 * LiveRecords.Size); i++)
        {
            writer.WriteBatch();
        }

        Task<LiveReadResult> skipped = lagging.ReadAsync().AsTask();
        writer.WriteBatch();
        LiveReadResult afterSkip = await skipped.Within();
        disconnecting.Write(new byte[3 * Capacity]);
        await Assert.ThrowsAsync<LiveReaderLappedException>(() => disconnected.ReadAsync().AsTask());

        Assert.Equal(skipping.WritePosition + disconnecting.WritePosition, metrics.Sum("zerocopy.live.ingested"));
        Assert.Equal(1, metrics.Sum("zerocopy.live.reader.skips"));
        Assert.Equal(afterSkip.SkippedBytes, metrics.Sum("zerocopy.live.reader.skipped"));
        Assert.True(metrics.Count("zerocopy.live.reader.lag") >= 2);
        Assert.Equal(2, metrics.Sum("zerocopy.live.reader.disconnects"));
        Assert.Equal(["in_flight", "lagging"], metrics.Reasons("zerocopy.live.reader.disconnects").Order());

        holding.Dispose();
        lagging.Dispose();
        disconnected.Dispose();
        Assert.Equal(0, metrics.ObserveReaderCount());
    }

    [Fact]
    public void AListenerThatAttachesLateReadsTheTrueReaderCount()
    {
        string channel = $"late-{Guid.NewGuid():N}";
        using var cache = new LiveCache(new LiveCacheOptions { Capacity = Capacity, Memory = TestCaches.LiveMemory(Capacity), SegmentSize = 4096, Name = channel });
        using LiveReader first = cache.CreateReader();
        using LiveReader second = cache.CreateReader();
        LiveReader third = cache.CreateReader();
        third.Dispose();

        using var metrics = new LiveMetricsCollector(channel);

        Assert.Equal(2, metrics.ObserveReaderCount());
    }

    [Fact]
    public void ADisposedCacheIsNoLongerObserved()
    {
        string channel = $"gone-{Guid.NewGuid():N}";
        using var metrics = new LiveMetricsCollector(channel);
        var cache = new LiveCache(new LiveCacheOptions { Capacity = Capacity, Memory = TestCaches.LiveMemory(Capacity), SegmentSize = 4096, Name = channel });
        using LiveReader reader = cache.CreateReader();
        Assert.Equal(1, metrics.ObserveReaderCount());

        cache.Dispose();

        Assert.Null(metrics.ObserveReaderCount());
    }

    [Fact]
    public void TheLagHistogramAdvisesBucketsThatSeparateLagsOnLargeRings()
    {
        var histogram = PublishedLagHistogram();

#if NET9_0_OR_GREATER
        var boundaries = histogram.Advice?.HistogramBucketBoundaries;
        Assert.NotNull(boundaries);
        Assert.Equal(16L << 10, boundaries[0]);
        Assert.Equal(4L << 30, boundaries[^1]);
        Assert.Equal(boundaries.Order(), boundaries);
#else
        // .NET 8's DiagnosticSource has no bucket advice: the histogram is published plain, in bytes, for a view to bucket.
        Assert.Equal("By", histogram.Unit);
#endif
    }

    private static System.Diagnostics.Metrics.Histogram<long> PublishedLagHistogram()
    {
        using var cache = new LiveCache(new LiveCacheOptions { Capacity = Capacity, Memory = TestCaches.LiveMemory(Capacity), SegmentSize = 4096 }); // the instruments exist
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        System.Diagnostics.Metrics.Histogram<long>? lag = null;
        listener.InstrumentPublished = (instrument, _) =>
        {
            if (instrument.Meter.Name == LiveCache.MeterName && instrument.Name == "zerocopy.live.reader.lag" && instrument is System.Diagnostics.Metrics.Histogram<long> histogram)
            {
                lag = histogram;
            }
        };
        listener.Start();

        Assert.NotNull(lag);
        return lag;
    }
}
