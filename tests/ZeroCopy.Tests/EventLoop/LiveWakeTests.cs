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

        Task<ViewerRun> viewer = await StartViewerWaitingForTheWriterAsync(cache, reader, pair, timeout.Token, timeout.Token);
        cache.Write(data);
        ViewerRun run = await viewer.WaitAsync(timeout.Token);

        Assert.False(run.Canceled);
        Assert.Equal(data.Length, run.Length);
        Assert.Equal(SocketLoop.IsEnabled, run.WaitedOnLoop);
        Assert.Equal(SocketLoop.IsEnabled, run.EndedOnLoop); // the publish's wake was posted to the loop, not run on the pool
        Assert.Equal(0, (SocketLoop.GetCounters() - before).Faults);
    }

    [Fact]
    public async Task AReaderWaitingOnTheLoopIsCanceledBackOnItsLoopNotOnTheCancelingThread()
    {
        using var timeout = TestTimeout.CreateSource();
        using var cache = new LiveCache(new LiveCacheOptions { Capacity = 1024 * 1024, SegmentSize = 64 * 1024 });
        using LiveReader reader = cache.CreateReader();
        using LoopbackSocketPair pair = await LoopbackSocketPair.ConnectAsync(timeout.Token);
        using var cancel = new CancellationTokenSource();

        Task<ViewerRun> viewer = await StartViewerWaitingForTheWriterAsync(cache, reader, pair, cancel.Token, timeout.Token);
        await cancel.CancelAsync();
        ViewerRun run = await viewer.WaitAsync(timeout.Token);

        Assert.True(run.Canceled);
        Assert.Equal(SocketLoop.IsEnabled, run.EndedOnLoop); // the cancellation was handed to the viewer's loop
    }

    /// <summary>What a viewer's read did: where it waited and ended, what it got, whether it was canceled.</summary>
    private readonly record struct ViewerRun(bool WaitedOnLoop, bool EndedOnLoop, long Length, bool Canceled);

    /// <summary>Starts a viewer on the loop of <paramref name="pair"/>'s server socket and returns once it waits for the writer.</summary>
    private static async Task<Task<ViewerRun>> StartViewerWaitingForTheWriterAsync(LiveCache cache, LiveReader reader, LoopbackSocketPair pair, CancellationToken readCancellation, CancellationToken timeout)
    {
        Task<ViewerRun> viewer = ReadOnTheLoopAsync(pair, reader, readCancellation);
        while (!viewer.IsCompleted && !cache.WaitQueue.HasWaiters)
        {
            await Task.Delay(5, timeout);
        }

        return viewer;
    }

    /// <summary>Moves onto the loop of <paramref name="pair"/>'s server socket (a byte awaited there), then waits for data on the reader.</summary>
    private static async Task<ViewerRun> ReadOnTheLoopAsync(LoopbackSocketPair pair, LiveReader reader, CancellationToken cancellationToken)
    {
        await LoopHop.MoveOntoLoopAsync(pair).ConfigureAwait(false);
        bool waitedOnLoop = SocketLoop.IsLoopThread;
        try
        {
            LiveReadResult result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            bool endedOnLoop = SocketLoop.IsLoopThread;
            long length = result.Buffer.Length;
            reader.AdvanceTo(result.Position + length);
            return new ViewerRun(waitedOnLoop, endedOnLoop, length, Canceled: false);
        }
        catch (OperationCanceledException)
        {
            return new ViewerRun(waitedOnLoop, SocketLoop.IsLoopThread, 0, Canceled: true);
        }
    }
}
