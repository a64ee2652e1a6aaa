using ZeroCopy.Tests.Infrastructure;

namespace ZeroCopy.Tests.EventLoop;

/// <summary>
/// A viewer served on a socket loop that waits for the writer's next publish is woken back on that loop, where it
/// continues inline: no thread-pool work item per viewer per publish.
/// </summary>
[Collection(SocketLoopGroup.Name)]
public sealed class LiveWakeTests
{
    [Fact]
    public async Task AReaderThatWaitsOnTheLoopIsWokenOnTheLoopByAPublish()
    {
        using var timeout = TestTimeout.CreateSource();
        using var cache = new LiveCache(new LiveCacheOptions { Capacity = 1024 * 1024, SegmentSize = 64 * 1024 });
        using LiveReader reader = cache.CreateReader();
        using LoopbackSocketPair pair = await LoopbackSocketPair.ConnectAsync(timeout.Token);
        byte[] data = TestData.Random(1000, seed: 601);
        SocketLoopCounters before = SocketLoop.GetCounters();

        Task<(bool WaitedOnLoop, bool WokenOnLoop, long Length)> viewer = ReadOnTheLoopAsync(pair, reader, timeout.Token);
        while (!viewer.IsCompleted && !cache.WaitQueue.HasWaiters)
        {
            await Task.Delay(5, timeout.Token); // the viewer is waiting for the writer
        }

        cache.Write(data);
        (bool waitedOnLoop, bool wokenOnLoop, long length) = await viewer.WaitAsync(timeout.Token);

        Assert.Equal(data.Length, length);
        Assert.Equal(SocketLoop.IsEnabled, waitedOnLoop);
        Assert.Equal(SocketLoop.IsEnabled, wokenOnLoop); // the publish's wake was posted to the loop, not run on the pool
        Assert.Equal(0, (SocketLoop.GetCounters() - before).Faults);
    }

    [Fact]
    public async Task AReaderWaitingOnTheLoopIsCanceledThereWithoutBlockingTheCancelingThread()
    {
        using var timeout = TestTimeout.CreateSource();
        using var cache = new LiveCache(new LiveCacheOptions { Capacity = 1024 * 1024, SegmentSize = 64 * 1024 });
        using LiveReader reader = cache.CreateReader();
        using LoopbackSocketPair pair = await LoopbackSocketPair.ConnectAsync(timeout.Token);
        using var cancel = new CancellationTokenSource();

        Task<(bool WaitedOnLoop, bool WokenOnLoop, long Length)> viewer = ReadOnTheLoopAsync(pair, reader, cancel.Token);
        while (!viewer.IsCompleted && !cache.WaitQueue.HasWaiters)
        {
            await Task.Delay(5, timeout.Token);
        }

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => viewer.WaitAsync(timeout.Token));
        cache.Write(new byte[10]); // the cache and its other readers go on
        using LiveReader next = cache.CreateReader();
        Assert.False(next.IsLapped);
    }

    /// <summary>Moves onto the loop of <paramref name="pair"/>'s server socket (a byte awaited there), then waits for data on the reader.</summary>
    private static async Task<(bool WaitedOnLoop, bool WokenOnLoop, long Length)> ReadOnTheLoopAsync(LoopbackSocketPair pair, LiveReader reader, CancellationToken cancellationToken)
    {
        await LoopHop.MoveOntoLoopAsync(pair).ConfigureAwait(false);
        bool waitedOnLoop = SocketLoop.IsLoopThread;
        LiveReadResult result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        bool wokenOnLoop = SocketLoop.IsLoopThread;
        long length = result.Buffer.Length;
        reader.AdvanceTo(result.Position + length);
        return (waitedOnLoop, wokenOnLoop, length);
    }
}
