using System.Net.Sockets;
using ZeroCopy.Tests.Infrastructure;

namespace ZeroCopy.Tests.EventLoop;

/// <summary>
/// Disconnects, stalls, cancellation, disposal and misbehaving code on the socket loop end as they end through the
/// framework (the same exception types), never with a hang, a crash of the loop, or a descriptor or registration left
/// behind. Each holds with the loop off as well (the suite runs once with <c>ZEROCOPY_SOCKET_LOOP=0</c>).
/// </summary>
[Collection(SocketLoopGroup.Name)]
public sealed class LoopErrorTests
{
    private const int Segment = 64 * 1024;
    private const long Large = 32L * 1024 * 1024; // far more than the small socket buffers below hold

    [Theory]
    [InlineData(CacheMemory.PinnedArrays)]
    [InlineData(CacheMemory.SharedMemory)]
    public async Task APeerThatResetsMidSendFailsTheSendWithASocketException(CacheMemory memory)
    {
        using var timeout = TestTimeout.CreateSource();
        using var cache = new VideoCache(Large, 1024 * 1024, memory);
        LoopbackSocketPair pair = await LoopbackSocketPair.ConnectAsync(bufferSize: 64 * 1024, timeout.Token);
        try
        {
            ValueTask send = cache.SendToAsync(pair.Server, 0, Large, timeout.Token);
            await Task.Delay(100, timeout.Token);
            pair.Client.LingerState = new LingerOption(true, 0);
            pair.Client.Close(); // RST: unread data was waiting

            SocketException error = await Assert.ThrowsAsync<SocketException>(async () => await send);
            Assert.Contains(error.SocketErrorCode, new[] { SocketError.ConnectionReset, SocketError.Shutdown, SocketError.ConnectionAborted });
        }
        finally
        {
            pair.Dispose();
        }
    }

    [Fact]
    public async Task APeerThatClosesMidSendFailsTheSendWithASocketException()
    {
        using var timeout = TestTimeout.CreateSource();
        using var cache = TestCaches.Video(Large, 1024 * 1024);
        LoopbackSocketPair pair = await LoopbackSocketPair.ConnectAsync(bufferSize: 64 * 1024, timeout.Token);
        try
        {
            ValueTask send = cache.SendToAsync(pair.Server, 0, Large, timeout.Token);
            await Task.Delay(100, timeout.Token);
            pair.Client.Shutdown(SocketShutdown.Both); // FIN; the unread bytes then reset the connection
            pair.Client.Close();

            await Assert.ThrowsAsync<SocketException>(async () => await send);
        }
        finally
        {
            pair.Dispose();
        }
    }

    [Theory]
    [InlineData(CacheMemory.PinnedArrays)]
    [InlineData(CacheMemory.SharedMemory)]
    public async Task ASendToAZeroWindowClientEndsOnCancellationAndGivesEverythingBack(CacheMemory memory)
    {
        // The first run makes what a process makes once and keeps; the second must give back every socket and shared-memory
        // descriptor it took.
        await SendToAZeroWindowClientUntilCanceledAsync(memory);
        int descriptors = OpenDescriptors();

        await SendToAZeroWindowClientUntilCanceledAsync(memory);

        Assert.Equal(descriptors, OpenDescriptors());
    }

    private static async Task SendToAZeroWindowClientUntilCanceledAsync(CacheMemory memory)
    {
        using var cache = new VideoCache(Large, 1024 * 1024, memory);
        using LoopbackSocketPair pair = await LoopbackSocketPair.ConnectAsync(bufferSize: 64 * 1024, CancellationToken.None);
        pair.Server.Blocking = false; // as a server that only makes asynchronous calls has it: the framework's engine never registers it
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        ValueTask send = cache.SendToAsync(pair.Server, 0, Large, cancel.Token); // the client never reads

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await send).WaitAsync(TestTimeout.Duration);
    }

    [Fact]
    public async Task ASendThatStallsPastItsStallTimeoutFailsWithTimeoutException()
    {
        using var timeout = TestTimeout.CreateSource();
        using var cache = TestCaches.Video(Large, 1024 * 1024);
        using LoopbackSocketPair pair = await LoopbackSocketPair.ConnectAsync(bufferSize: 64 * 1024, timeout.Token);
        var options = new SendOptions { StallTimeout = TimeSpan.FromMilliseconds(300) };

        long started = Environment.TickCount64;
        await Assert.ThrowsAsync<TimeoutException>(async () => await cache.SendWithHeadAsync(pair.Server, default, 0, Large, options, timeout.Token));

        Assert.InRange(Environment.TickCount64 - started, 250, TestTimeout.Duration.TotalMilliseconds);
    }

    [Fact]
    public async Task ASlowReaderIsNotCutOffByTheStallTimeout()
    {
        using var timeout = TestTimeout.CreateSource();
        using var cache = TestCaches.Video(4L * 1024 * 1024, 1024 * 1024);
        byte[] content = TestData.Random((int)cache.Capacity, seed: 501);
        cache.Write(0, content);
        using LoopbackSocketPair pair = await LoopbackSocketPair.ConnectAsync(bufferSize: 64 * 1024, timeout.Token);
        var options = new SendOptions { StallTimeout = TimeSpan.FromSeconds(1) };

        // Reads 128 KiB every 100 ms: a tenth of the stall timeout between reads, but about 3 s in all, three times the
        // timeout, so only a clock that restarts with progress lets the send finish.
        Task<byte[]> reading = Task.Run(async () =>
        {
            byte[] all = new byte[content.Length];
            for (int read = 0; read < all.Length;)
            {
                await Task.Delay(100, timeout.Token);
                read += await pair.Client.ReceiveFullyAsync(all.AsMemory(read, Math.Min(128 * 1024, all.Length - read)), timeout.Token);
            }

            return all;
        });
        await cache.SendWithHeadAsync(pair.Server, default, 0, cache.Capacity, options, timeout.Token);

        byte[] read = await reading;
        ByteAssert.Equal(content, read);
    }

    [Theory]
    [InlineData(CacheMemory.PinnedArrays)]
    [InlineData(CacheMemory.SharedMemory)]
    public async Task DisposingTheCacheUnderAnInFlightSendLetsTheSendFinishWithTheRightBytes(CacheMemory memory)
    {
        using var timeout = TestTimeout.CreateSource();
        var cache = new VideoCache(8L * 1024 * 1024, 1024 * 1024, memory);
        byte[] content = TestData.Random((int)cache.Capacity, seed: 502);
        cache.Write(0, content);
        using LoopbackSocketPair pair = await LoopbackSocketPair.ConnectAsync(bufferSize: 64 * 1024, timeout.Token);

        ValueTask send = cache.SendToAsync(pair.Server, 0, cache.Capacity, timeout.Token);
        cache.Dispose(); // the send holds a use of the memory: it is released only when the send ends
        byte[] received = await LoopbackSocketPair.ReceiveExactlyAsync(pair.Client, content.Length, timeout.Token);
        await send;

        ByteAssert.Equal(content, received);
    }

    [Fact]
    public async Task DisposingTheSocketUnderAWaitingSendEndsItWithObjectDisposedOrSocketException()
    {
        using var timeout = TestTimeout.CreateSource();
        using var cache = TestCaches.Video(Large, 1024 * 1024);
        using LoopbackSocketPair pair = await LoopbackSocketPair.ConnectAsync(bufferSize: 64 * 1024, timeout.Token);
        ValueTask send = cache.SendToAsync(pair.Server, 0, Large, timeout.Token);
        await Task.Delay(100, timeout.Token);

        pair.Server.Dispose();

        Exception error = await Assert.ThrowsAnyAsync<Exception>(async () => await send);
        Assert.True(error is ObjectDisposedException or SocketException or OperationCanceledException, error.ToString());
        Assert.False(timeout.IsCancellationRequested, "the send ended because the socket was disposed, not at the test's timeout");
    }

    [Fact]
    public async Task DisposingASocketOnItsOwnLoopThreadWhileItsSendWaitsReturnsAndEndsTheSend()
    {
        using var cache = TestCaches.Video(Large, 1024 * 1024);
        using LoopbackSocketPair pair = await LoopbackSocketPair.ConnectAsync(bufferSize: 64 * 1024, CancellationToken.None);

        // Socket.Dispose waits for every reference on the handle: a wait that held one would hang this, on the loop.
        Task send = await DisposeOnTheLoopWhileASendWaitsAsync(pair, cache).WaitAsync(TestTimeout.Duration);

        Exception error = await Assert.ThrowsAnyAsync<Exception>(() => send.WaitAsync(TestTimeout.Duration));
        Assert.True(error is ObjectDisposedException or SocketException, error.ToString());
    }

    [Fact]
    public async Task ASendWaitingOnAPeerThatOnlyClosedItsSendingSideDoesNotSpinTheLoop()
    {
        using var cache = TestCaches.Video(Large, 1024 * 1024);
        using LoopbackSocketPair pair = await LoopbackSocketPair.ConnectAsync(bufferSize: 64 * 1024, CancellationToken.None);
        pair.Client.Shutdown(SocketShutdown.Send); // the peer's FIN arrives; it still could read, but does not
        using var cancel = new CancellationTokenSource();

        ValueTask send = cache.SendToAsync(pair.Server, 0, Large, cancel.Token);
        await Task.Delay(100);
        SocketLoopCounters before = SocketLoop.GetCounters();
        await Task.Delay(500);
        SocketLoopCounters used = SocketLoop.GetCounters() - before;
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await send).WaitAsync(TestTimeout.Duration);
        Assert.True(used.WakeUps < 100, $"{used.WakeUps} loop wake-ups in 500 ms while one send waited (a spin makes thousands)");
    }

    /// <summary>On the server socket's loop thread: starts a send that waits (the client reads nothing), disposes the socket there, returns the send.</summary>
    private static async Task<Task> DisposeOnTheLoopWhileASendWaitsAsync(LoopbackSocketPair pair, VideoCache cache)
    {
        await LoopHop.MoveOntoLoopAsync(pair).ConfigureAwait(false);
        Task send = cache.SendToAsync(pair.Server, 0, Large).AsTask();
        Assert.False(send.IsCompleted, "the send waits for room");
        pair.Server.Dispose();
        return send;
    }

    [Fact]
    public async Task AWaitForARequestEndsOnCancellationAndTheLoopServesTheSocketAgainAfterwards()
    {
        using var timeout = TestTimeout.CreateSource();
        using LoopbackSocketPair pair = await LoopbackSocketPair.ConnectAsync(timeout.Token);
        using (var idle = new CancellationTokenSource(TimeSpan.FromMilliseconds(200)))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await SocketLoop.WaitReadableAsync(pair.Server, idle.Token));
        }

        byte[] buffer = new byte[16];
        ValueTask<int> receive = SocketLoop.ReceiveAsync(pair.Server, buffer, timeout.Token);
        await pair.Client.SendAsync("hello"u8.ToArray(), SocketFlags.None, timeout.Token);

        Assert.Equal(5, await receive);
        Assert.Equal("hello", System.Text.Encoding.ASCII.GetString(buffer, 0, 5));
        pair.Client.Shutdown(SocketShutdown.Send);
        Assert.Equal(0, await SocketLoop.ReceiveAsync(pair.Server, buffer, timeout.Token)); // the peer's close is a value
    }

    [Fact]
    public async Task CodeThatThrowsOrBlocksOnTheLoopIsCountedAndTheLoopGoesOn()
    {
        using var timeout = TestTimeout.CreateSource();
        SocketLoopCounters before = SocketLoop.GetCounters();

        // The handler blocks its turn, then throws. Its wait must be armed before the byte arrives, or it completes at
        // once on the calling thread and no loop turn runs it: so each attempt sends only once the wait is counted.
        for (int attempt = 0; attempt < 5 && (SocketLoop.GetCounters() - before).LongTurns == 0; attempt++)
        {
            using LoopbackSocketPair first = await LoopbackSocketPair.ConnectAsync(timeout.Token);
            long waits = SocketLoop.GetCounters().Waits;
            Task handler = Task.Run(async () =>
            {
                await SocketLoop.WaitReadableAsync(first.Server, timeout.Token).ConfigureAwait(false);
                Thread.Sleep(SocketLoop.LongTurnThreshold * 2); // what a handler must not do: block its loop
                throw new InvalidOperationException("the handler failed");
            });
            while (SocketLoop.IsEnabled && SocketLoop.GetCounters().Waits == waits && !handler.IsCompleted)
            {
                await Task.Delay(5, timeout.Token);
            }

            await Task.Delay(20, timeout.Token);
            await first.Client.SendAsync(new byte[1], SocketFlags.None, timeout.Token);
            await Assert.ThrowsAsync<InvalidOperationException>(() => handler.WaitAsync(timeout.Token));
        }

        // Every loop still serves: a wait on each of several sockets (spread over the loops by descriptor) completes.
        var pairs = new List<LoopbackSocketPair>();
        try
        {
            for (int i = 0; i < 2 * Environment.ProcessorCount; i++)
            {
                LoopbackSocketPair pair = await LoopbackSocketPair.ConnectAsync(timeout.Token);
                pairs.Add(pair);
                ValueTask<int> receive = SocketLoop.ReceiveAsync(pair.Server, new byte[4], timeout.Token);
                await pair.Client.SendAsync(new byte[4], SocketFlags.None, timeout.Token);
                Assert.InRange(await receive, 1, 4);
            }
        }
        finally
        {
            pairs.ForEach(p => p.Dispose());
        }

        SocketLoopCounters used = SocketLoop.GetCounters() - before;
        if (SocketLoop.IsEnabled)
        {
            Assert.True(used.LongTurns >= 1, "the blocking turn was counted");
            Assert.Equal(0, used.Faults); // an async method's exception goes to its task, not to the loop
        }
    }

    [Fact]
    public async Task TwoReceivesWaitingOnOneSocketAreRefused()
    {
        Assert.True(OperatingSystem.IsLinux());
        using var timeout = TestTimeout.CreateSource();
        using LoopbackSocketPair pair = await LoopbackSocketPair.ConnectAsync(timeout.Token);
        Task first = SocketLoop.WaitReadableAsync(pair.Server, timeout.Token).AsTask();

        if (SocketLoop.IsEnabled)
        {
            Action second = () => SocketLoop.WaitReadableAsync(pair.Server, timeout.Token).AsTask();
            Assert.Throws<InvalidOperationException>(second);
        }

        await pair.Client.SendAsync(new byte[1], SocketFlags.None, timeout.Token);
        await first;
    }

    /// <summary>
    /// The process's open sockets and shared-memory files: what a send could leak. Event-polling and wake-up descriptors
    /// are left out: the runtime's socket engines make theirs on first use, whenever a test happens to need one.
    /// </summary>
    private static int OpenDescriptors() =>
        Directory.GetFiles("/proc/self/fd").Count(fd => new FileInfo(fd).LinkTarget is { } target && (target.StartsWith("socket:", StringComparison.Ordinal) || target.Contains("memfd", StringComparison.Ordinal)));
}
