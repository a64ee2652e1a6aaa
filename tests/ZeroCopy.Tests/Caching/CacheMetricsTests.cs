using System.Reflection;
using ZeroCopy.Tests.Infrastructure;

namespace ZeroCopy.Tests.Caching;

[Collection(nameof(CacheMetricsTestGroup))]
public class CacheMetricsTests
{
    private const int SegmentSize = VideoCache.MinSegmentSize;

    [Fact]
    public async Task SendToAsyncCountsTheBytesSentAndIsInFlightOnlyWhileItRuns()
    {
        using var timeout = TestTimeout.CreateSource();
        using LoopbackSocketPair pair = await LoopbackSocketPair.ConnectAsync(timeout.Token);
        using var cache = TestCaches.Video(4 * SegmentSize, SegmentSize);
        using var metrics = new CacheMetricsListener();
        long length = (2 * SegmentSize) + 300;

        await cache.SendToAsync(pair.Client, SegmentSize - 100, length, timeout.Token);
        byte[] received = new byte[length];
        Assert.Equal(length, await pair.Server.ReceiveFullyAsync(received, timeout.Token));

        Assert.Equal(length, metrics.Transmitted);
        Assert.Equal(1, metrics.TransfersBegun);
        Assert.Equal(0, metrics.ActiveSends);
    }

    [Fact]
    public async Task ReceiveIntoAsyncCountsWhatArrivedIncludingAShortCountWhenThePeerCloses()
    {
        using var timeout = TestTimeout.CreateSource();
        using LoopbackSocketPair pair = await LoopbackSocketPair.ConnectAsync(timeout.Token);
        using var cache = TestCaches.Video(4 * SegmentSize, SegmentSize);
        using var metrics = new CacheMetricsListener();
        pair.Client.Send(TestData.Pattern(5000));
        pair.Client.Shutdown(System.Net.Sockets.SocketShutdown.Send);

        long count = await cache.ReceiveIntoAsync(pair.Server, 10, 3 * SegmentSize, timeout.Token);

        Assert.Equal(5000, count);
        Assert.Equal(5000, metrics.Received);
        Assert.Equal(0, metrics.ActiveReads);
    }

    [Fact]
    public async Task StreamWritesAndReadsAreCountedByDirection()
    {
        using var cache = TestCaches.Video(4 * SegmentSize, SegmentSize);
        using var metrics = new CacheMetricsListener();
        using var destination = new MemoryStream();

        await cache.WriteToAsync(destination, 7, 3 * SegmentSize);
        long read = await cache.ReadIntoAsync(new MemoryStream(new byte[1234]), 0, 2 * SegmentSize);

        Assert.Equal(3 * SegmentSize, destination.Length);
        Assert.Equal(3 * SegmentSize, metrics.Transmitted);
        Assert.Equal(1234, read);
        Assert.Equal(1234, metrics.Received);
        Assert.Equal(2, metrics.TransfersBegun);
    }

    [Fact]
    public async Task ATransferThatWaitsIsInFlightUntilItIsCanceledAndCountsWhatItMovedNothingMore()
    {
        using var cache = TestCaches.Video(4 * SegmentSize, SegmentSize);
        using var metrics = new CacheMetricsListener();
        var source = new StallingStream(TestData.Pattern(100));
        using var cancel = new CancellationTokenSource();

        Task<long> read = cache.ReadIntoAsync(source, 0, SegmentSize, cancel.Token).AsTask();
        await source.Stalled.WaitAsync(TestTimeout.Duration);
        Assert.Equal(1, metrics.ActiveReads);

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read);

        Assert.Equal(0, metrics.ActiveReads);
        Assert.Equal(0, metrics.Received);
    }

    [Fact]
    public async Task WithNoListenerTransfersTakeTheUnmeasuredPath()
    {
        using var cache = TestCaches.Video(4 * SegmentSize, SegmentSize);
        Assert.False(ZeroCopy.Diagnostics.CacheMetrics.Enabled, "no listener is attached, yet the instruments are enabled");
        await cache.WriteToAsync(Stream.Null, 0, SegmentSize);

        using (var metrics = new CacheMetricsListener())
        {
            Assert.True(ZeroCopy.Diagnostics.CacheMetrics.Enabled);
        }

        Assert.False(ZeroCopy.Diagnostics.CacheMetrics.Enabled, "the instruments stay enabled after the listener left");
    }

    [Fact]
    public void AMeasuredTransferThatCompletesSynchronouslyAllocatesNothing()
    {
        using var cache = TestCaches.Video(4 * SegmentSize, SegmentSize);
        using var metrics = new CacheMetricsListener();
        const int Writes = 1000;

        // A Debug build of the library compiles async state machines as classes: there only the bound holds.
        bool optimized = typeof(VideoCache).Assembly.GetCustomAttribute<System.Diagnostics.DebuggableAttribute>()?.IsJITOptimizerDisabled != true;
        long written = optimized
            ? AllocationAssert.NothingInSteadyState(() => WriteSynchronously(cache, Writes), $"{Writes} x measured WriteToAsync")
            : AllocationAssert.AtMostInSteadyState(() => WriteSynchronously(cache, Writes), Writes * 512L, $"{Writes} x measured WriteToAsync (Debug build)");

        Assert.Equal(Writes * (SegmentSize + 10L), written);
        Assert.True(metrics.Transmitted >= written, $"transmitted {metrics.Transmitted} < written {written}");
    }

    private static long WriteSynchronously(VideoCache cache, int count)
    {
        long written = 0;
        for (int i = 0; i < count; i++)
        {
            ValueTask write = cache.WriteToAsync(Stream.Null, SegmentSize - 5, SegmentSize + 10);
            if (!write.IsCompletedSuccessfully)
            {
                throw new InvalidOperationException("A write to Stream.Null did not complete synchronously.");
            }

            write.GetAwaiter().GetResult();

            written += SegmentSize + 10;
        }

        return written;
    }
}
