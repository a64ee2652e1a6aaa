using System.Net.Sockets;
using ZeroCopy.Tests.Infrastructure;

namespace ZeroCopy.Tests.EventLoop;

/// <summary>
/// A loop with no wait armed sleeps until it is needed (no sweep to make); a wait armed from another thread wakes it, so
/// that the wait's stall timeout is still swept. Counters are process-wide: these run alone.
/// </summary>
[Collection(SocketLoopGroup.Name)]
public sealed class IdleLoopTests
{
    private const long Large = 64L * 1024 * 1024;

    [Fact]
    public async Task AnIdleLoopDoesNotWakeUp()
    {
        using (var timeout = TestTimeout.CreateSource())
        using (LoopbackSocketPair pair = await LoopbackSocketPair.ConnectAsync(timeout.Token))
        using (var cache = TestCaches.Video(64 * 1024, 64 * 1024))
        {
            await cache.SendToAsync(pair.Server, 0, cache.Capacity, timeout.Token); // the loops exist and served a send
            await LoopbackSocketPair.ReceiveExactlyAsync(pair.Client, (int)cache.Capacity, timeout.Token);
        }

        await Task.Delay(200); // a sweep in progress ends
        SocketLoopCounters before = SocketLoop.GetCounters();
        await Task.Delay(1000);
        SocketLoopCounters used = SocketLoop.GetCounters() - before;

        // Each loop swept ten times a second before; with no wait armed, none. (With the loop off there is no loop to wake.)
        Assert.True(used.WakeUps <= 2, $"{used.WakeUps} loop wake-ups in 1 s with nothing to do");
    }

    [Fact]
    public async Task AWaitArmedFromAnotherThreadWhileTheLoopSleepsIsSweptAtItsStallTimeout()
    {
        using var cache = TestCaches.Video(Large, 1024 * 1024);
        using var timeout = TestTimeout.CreateSource();
        using LoopbackSocketPair pair = await LoopbackSocketPair.ConnectAsync(bufferSize: 64 * 1024, timeout.Token);
        pair.Server.Blocking = false;
        FillSendBuffers(pair.Server); // no room comes back: the client reads nothing
        await Task.Delay(300); // every loop idle, asleep with no timeout
        var options = new SendOptions { StallTimeout = TimeSpan.FromMilliseconds(300) };

        // From a thread-pool thread: the send finds the socket full and arms a wait on a sleeping loop; no event will come.
        await Assert.ThrowsAsync<TimeoutException>(() => Task.Run(async () => await cache.SendWithHeadAsync(pair.Server, default, 0, Large, options, timeout.Token)));
    }

    [Fact]
    public async Task EveryPostFromOtherThreadsRunsOnTheLoopEvenWhenPostsRaceTheLoopsWakeUp()
    {
        // Two threads post and wait for their item to run, over and over: a post landing while the loop takes the previous
        // wake-up must not leave the wake flag set with nothing to wake the loop (the loop sleeps until woken).
        EpollLoop loop = EpollLoop.For(0);
        const int Rounds = 20_000;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60)); // a lost wake-up never ends; a busy machine is slow

        await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            var item = new CountedItem();
            for (int round = 1; round <= Rounds; round++)
            {
                loop.Post(item);
                while (Volatile.Read(ref item.Runs) < round)
                {
                    timeout.Token.ThrowIfCancellationRequested(); // a lost wake-up: the loop sleeps on with the item queued
                    Thread.SpinWait(20);
                }
            }
        })));
    }

    private sealed class CountedItem : ILoopWorkItem
    {
        public int Runs;

        public void RunOnLoop() => Interlocked.Increment(ref Runs);
    }

    private static void FillSendBuffers(Socket socket)
    {
        byte[] chunk = new byte[64 * 1024];
        try
        {
            while (true)
            {
                socket.Send(chunk);
            }
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.WouldBlock)
        {
        }
    }
}
