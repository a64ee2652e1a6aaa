using ZeroCopy.Tests.Infrastructure;

namespace ZeroCopy.Tests.EventLoop;

/// <summary>
/// <see cref="LoopSignal"/>: a held request waiting on the loop is woken (or canceled) back on its loop, a signal wakes
/// every wait made before it and none after, and a signal between the check and the wait is not lost.
/// </summary>
[Collection(SocketLoopGroup.Name)]
public sealed class LoopSignalTests
{
    [Fact]
    public async Task AWaitMadeOnTheLoopIsWokenOnTheLoopNotOnTheSignallingThread()
    {
        using var timeout = TestTimeout.CreateSource();
        using LoopbackSocketPair pair = await LoopbackSocketPair.ConnectAsync(timeout.Token);
        var signal = new LoopSignal();

        Task<HeldRun> held = await StartHeldOnTheLoopAsync(signal, pair, timeout.Token, timeout.Token);
        signal.Signal();
        HeldRun run = await held.WaitAsync(timeout.Token);

        Assert.False(run.Canceled);
        Assert.Equal(SocketLoop.IsEnabled, run.WaitedOnLoop);
        Assert.Equal(SocketLoop.IsEnabled, run.EndedOnLoop); // posted to its loop, not run on the pool or in Signal
        Assert.Equal(0, signal.WaitingCount);
    }

    [Fact]
    public async Task AWaitOnTheLoopCanceledFromAnotherThreadEndsOnItsLoopAndLeavesTheSignal()
    {
        using var timeout = TestTimeout.CreateSource();
        using LoopbackSocketPair pair = await LoopbackSocketPair.ConnectAsync(timeout.Token);
        using var cancel = new CancellationTokenSource();
        var signal = new LoopSignal();

        Task<HeldRun> held = await StartHeldOnTheLoopAsync(signal, pair, cancel.Token, timeout.Token);
        await cancel.CancelAsync();
        HeldRun run = await held.WaitAsync(timeout.Token);

        Assert.True(run.Canceled);
        Assert.Equal(SocketLoop.IsEnabled, run.EndedOnLoop);
        Assert.Equal(0, signal.WaitingCount); // the canceled wait is out of the list, not woken by the next signal
    }

    [Fact]
    public async Task ASignalWakesEveryWaitMadeBeforeItAndNoneMadeAfter()
    {
        using var timeout = TestTimeout.CreateSource();
        var signal = new LoopSignal();
        long version = signal.Version;
        ValueTask[] before = [.. Enumerable.Range(0, 100).Select(_ => signal.WaitAsync(version, timeout.Token))];
        Assert.Equal(100, signal.WaitingCount);

        signal.Signal();
        foreach (ValueTask wait in before)
        {
            await wait.AsTask().WaitAsync(timeout.Token);
        }

        Assert.Equal(version + 1, signal.Version);
        ValueTask after = signal.WaitAsync(signal.Version, timeout.Token);
        await Task.Delay(50, timeout.Token);
        Assert.False(after.IsCompleted);
        signal.Signal();
        await after.AsTask().WaitAsync(timeout.Token);
    }

    [Fact]
    public async Task AWaitForAVersionAlreadyPassedCompletesAtOnce()
    {
        var signal = new LoopSignal();
        long seen = signal.Version;
        signal.Signal(); // between the caller's check and its wait

        ValueTask wait = signal.WaitAsync(seen);

        Assert.True(wait.IsCompletedSuccessfully);
        Assert.Equal(0, signal.WaitingCount);
        await wait;
    }

    [Fact]
    public async Task AWaitWithATokenAlreadyCanceledThrowsAndRegistersNothing()
    {
        var signal = new LoopSignal();
        using var cancel = new CancellationTokenSource();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await signal.WaitAsync(signal.Version, cancel.Token));
        Assert.Equal(0, signal.WaitingCount);
    }

    [Fact]
    public async Task WaitsSignalledAndCanceledFromRacingThreadsAllEndOnceAndTheirPooledObjectsServeTheNextWaits()
    {
        // Two threads wait and signal in a loop while a third cancels; every wait must end (no lost wake-up, no wait
        // completed twice or ended by another's cancellation) and the signal must keep no wait behind.
        using var timeout = TestTimeout.CreateSource();
        var signal = new LoopSignal();
        int canceledWrongly = 0;

        async Task WaiterAsync(int seed)
        {
            var random = new Random(seed);
            for (int i = 0; i < 5_000; i++)
            {
                using var cancel = new CancellationTokenSource();
                bool willCancel = random.Next(4) == 0;
                ValueTask wait = signal.WaitAsync(signal.Version, cancel.Token);
                if (willCancel)
                {
                    await cancel.CancelAsync();
                }

                try
                {
                    await wait;
                }
                catch (OperationCanceledException)
                {
                    if (!willCancel)
                    {
                        Interlocked.Increment(ref canceledWrongly);
                    }
                }
            }
        }

        using var stop = new CancellationTokenSource();
        Task signaller = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                signal.Signal();
                await Task.Yield();
            }
        });

        await Task.WhenAll(Task.Run(() => WaiterAsync(1)), Task.Run(() => WaiterAsync(2))).WaitAsync(timeout.Token);
        await stop.CancelAsync();
        await signaller.WaitAsync(timeout.Token);

        Assert.Equal(0, canceledWrongly);
        Assert.Equal(0, signal.WaitingCount);
    }

    [Fact]
    public async Task AWaitOnceWarmAllocatesNothing()
    {
        // On a pool thread: a test may start on a loop thread (where the previous test ended), and a wait made there is
        // posted to the loop rather than completed inside Signal.
        long allocated = await Task.Run(() =>
        {
            var signal = new LoopSignal();
            for (int i = 0; i < 100; i++)
            {
                WaitAndSignal(signal);
            }

            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 1000; i++)
            {
                WaitAndSignal(signal);
            }

            return GC.GetAllocatedBytesForCurrentThread() - before;
        });

        Assert.Equal(0, allocated);

        static void WaitAndSignal(LoopSignal signal)
        {
            ValueTask wait = signal.WaitAsync(signal.Version);
            Assert.False(wait.IsCompleted);
            signal.Signal();
            Assert.True(wait.IsCompletedSuccessfully);
            wait.GetAwaiter().GetResult(); // gives the wait back to the signal's pool
        }
    }

    /// <summary>What a held request did: where it waited and ended, whether it was canceled.</summary>
    private readonly record struct HeldRun(bool WaitedOnLoop, bool EndedOnLoop, bool Canceled);

    /// <summary>Starts a held request on the loop of <paramref name="pair"/>'s server socket and returns once it waits.</summary>
    private static async Task<Task<HeldRun>> StartHeldOnTheLoopAsync(LoopSignal signal, LoopbackSocketPair pair, CancellationToken waitCancellation, CancellationToken timeout)
    {
        Task<HeldRun> held = HoldOnTheLoopAsync(signal, pair, waitCancellation);
        while (!held.IsCompleted && signal.WaitingCount == 0)
        {
            await Task.Delay(5, timeout);
        }

        return held;
    }

    private static async Task<HeldRun> HoldOnTheLoopAsync(LoopSignal signal, LoopbackSocketPair pair, CancellationToken cancellationToken)
    {
        await LoopHop.MoveOntoLoopAsync(pair).ConfigureAwait(false);
        bool waitedOnLoop = SocketLoop.IsLoopThread;
        try
        {
            await signal.WaitAsync(signal.Version, cancellationToken).ConfigureAwait(false);
            return new HeldRun(waitedOnLoop, SocketLoop.IsLoopThread, Canceled: false);
        }
        catch (OperationCanceledException)
        {
            return new HeldRun(waitedOnLoop, SocketLoop.IsLoopThread, Canceled: true);
        }
    }
}
