using System.Net.Sockets;
using System.Security.Cryptography;
using ZeroCopy.Tests.Infrastructure;

namespace ZeroCopy.Tests.EventLoop;

/// <summary>
/// The one send path on the socket loop: which system calls carry a send (a head and a short body together, a long
/// range of a mapped store with sendfile), that a send that fills the socket continues on the loop's thread, and that
/// ranges of every shape arrive byte-exact. Counters are process-wide: these run alone.
/// </summary>
[Collection(SocketLoopGroup.Name)]
public sealed class SendPathTests
{
    private const int Segment = 64 * 1024;

    [Fact]
    public void TheLoopIsOnWhereTheSuiteRunsUnlessSwitchedOff()
    {
        bool switchedOff = Environment.GetEnvironmentVariable("ZEROCOPY_SOCKET_LOOP") is "0" or "false" or "off";
        Assert.Equal(OperatingSystem.IsLinux() && !switchedOff, SocketLoop.IsEnabled);
    }

    [Fact]
    public async Task AHeadAndAShortBodyLeaveInOneSystemCall()
    {
        using var timeout = TestTimeout.CreateSource();
        using LoopbackSocketPair pair = await LoopbackSocketPair.ConnectAsync(timeout.Token);
        using var cache = TestCaches.Video(4L * Segment, Segment);
        byte[] content = TestData.Random((int)cache.Capacity, seed: 301);
        cache.Write(0, content);
        byte[] head = "HTTP/1.1 206 Partial Content\r\nContent-Length: 3000\r\n\r\n"u8.ToArray();
        SocketLoopCounters before = SocketLoop.GetCounters();

        await cache.SendWithHeadAsync(pair.Server, head, Segment - 1000, 3000, null, timeout.Token); // across a segment boundary

        SocketLoopCounters used = SocketLoop.GetCounters() - before;
        Assert.Equal(SocketLoop.IsEnabled ? 1 : 0, used.SendCalls); // through the framework: its own sends, not counted here
        Assert.Equal(0, used.SendFileCalls);
        byte[] received = await LoopbackSocketPair.ReceiveExactlyAsync(pair.Client, head.Length + 3000, timeout.Token);
        ByteAssert.Equal(head, received.AsSpan(0, head.Length));
        ByteAssert.Equal(content.AsSpan(Segment - 1000, 3000), received.AsSpan(head.Length));
    }

    [Fact]
    public async Task ALongSendFromAMappedStoreGoesThroughSendfileWithItsHeadJustBefore()
    {
        using var timeout = TestTimeout.CreateSource();
        using LoopbackSocketPair pair = await LoopbackSocketPair.ConnectAsync(timeout.Token);
        using var cache = new VideoCache(64L * Segment, Segment, CacheMemory.SharedMemory);
        byte[] content = TestData.Random((int)cache.Capacity, seed: 302);
        cache.Write(0, content);
        byte[] head = "HEAD-"u8.ToArray();
        const long Offset = 12_345;
        const int Length = 3 * 1024 * 1024;
        SocketLoopCounters before = SocketLoop.GetCounters();

        Task<byte[]> receiving = LoopbackSocketPair.ReceiveExactlyAsync(pair.Client, head.Length + Length, timeout.Token);
        await cache.SendWithHeadAsync(pair.Server, head, Offset, Length, null, timeout.Token);
        byte[] received = await receiving;

        SocketLoopCounters used = SocketLoop.GetCounters() - before;
        if (SocketLoop.IsEnabled)
        {
            Assert.True(used.SendFileCalls >= 3, $"{used.SendFileCalls} sendfile calls for 3 MiB in pieces of at most 1 MiB");
            Assert.Equal(1, used.SendCalls); // the head, held back with MSG_MORE
        }
        else
        {
            Assert.Equal(default, used); // the framework's path: SendPacketsAsync (MappedStoreTests counts it)
        }
        ByteAssert.Equal(head, received.AsSpan(0, head.Length));
        Assert.Equal(SHA256.HashData(content.AsSpan((int)Offset, Length)), SHA256.HashData(received.AsSpan(head.Length)));
    }

    [Fact]
    public async Task ASendThatFillsTheSocketContinuesOnTheLoopThread()
    {
        using var timeout = TestTimeout.CreateSource();
        using LoopbackSocketPair pair = await LoopbackSocketPair.ConnectAsync(bufferSize: 64 * 1024, timeout.Token);
        using var cache = TestCaches.Video(128L * Segment, Segment);
        byte[] content = TestData.Random((int)cache.Capacity, seed: 303);
        cache.Write(0, content);

        // Warm: the first send of a process loads types and fills pools.
        Task<byte[]> warm = LoopbackSocketPair.ReceiveExactlyAsync(pair.Client, 1024 * 1024, timeout.Token);
        await cache.SendToAsync(pair.Server, 0, 1024 * 1024, timeout.Token);
        await warm;

        SocketLoopCounters before = SocketLoop.GetCounters();
        Task<byte[]> receiving = LoopbackSocketPair.ReceiveExactlyAsync(pair.Client, (int)cache.Capacity - 77, timeout.Token);
        bool continuedOnLoop = await SendAndTellWhereItContinuedAsync(cache, pair.Server, timeout.Token);
        byte[] received = await receiving;

        SocketLoopCounters used = SocketLoop.GetCounters() - before;
        Assert.Equal(SocketLoop.IsEnabled, continuedOnLoop); // the send waited for room; its caller continued on the loop
        if (SocketLoop.IsEnabled)
        {
            Assert.True(used.Waits >= 1 && used.Turns >= 1, $"{used.Waits} waits, {used.Turns} turns");
            Assert.Equal(0, used.LongTurns);
        }
        Assert.Equal(SHA256.HashData(content.AsSpan(77)), SHA256.HashData(received));
    }

    [Theory]
    [InlineData(CacheMemory.PinnedArrays)]
    [InlineData(CacheMemory.SharedMemory)]
    public async Task RandomRangesWithHeadsAreByteExactOnBothStores(CacheMemory memory)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using LoopbackSocketPair pair = await LoopbackSocketPair.ConnectAsync(timeout.Token);
        using var cache = new VideoCache(96L * Segment, Segment, memory);
        byte[] content = TestData.Random((int)cache.Capacity, seed: 304);
        cache.Write(0, content);
        var random = new Random(305);
        int[] edges = [1, SocketSender.LoopSendFileThreshold, SocketSender.LoopSendFileThreshold + 1, Segment, 4 * 1024 * 1024];

        for (int i = 0; i < 40; i++)
        {
            int length = i < edges.Length ? edges[i] : random.Next(1, (int)cache.Capacity);
            long offset = random.NextInt64(0, cache.Capacity - length + 1);
            byte[] head = TestData.Random(random.Next(0, 300), seed: i);
            Task<byte[]> receiving = LoopbackSocketPair.ReceiveExactlyAsync(pair.Client, head.Length + length, timeout.Token);
            await cache.SendWithHeadAsync(pair.Server, head, offset, length, null, timeout.Token);

            byte[] received = await receiving;
            ByteAssert.Equal(head, received.AsSpan(0, head.Length), $"head of range {i}");
            Assert.True(
                SHA256.HashData(content.AsSpan((int)offset, length)).AsSpan().SequenceEqual(SHA256.HashData(received.AsSpan(head.Length))),
                $"range {i}: offset {offset}, length {length}, head {head.Length}");
        }
    }

    [Theory]
    [InlineData(CacheMemory.PinnedArrays)]
    [InlineData(CacheMemory.SharedMemory)]
    public async Task ASendThatWaitsOnTheLoopAllocatesNothingThere(CacheMemory memory)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using LoopbackSocketPair pair = await LoopbackSocketPair.ConnectAsync(bufferSize: 64 * 1024, timeout.Token);
        using var cache = new VideoCache(128L * Segment, Segment, memory);
        byte[] sink = new byte[(int)cache.Capacity];

        // Each round runs as a server's connection does: on the loop's thread (reached by waiting for a byte there), an
        // 8 MiB send through 64 KiB socket buffers that waits and continues there, measured by that thread's own
        // allocation count. It passes when a round after the first (the warm-up) allocates nothing.
        var allocated = new List<long>();
        for (int round = 0; round < 6 && (round < 2 || allocated[^1] != 0); round++)
        {
            Task<int> receive = pair.Client.ReceiveFullyAsync(sink, timeout.Token).AsTask();
            (long bytes, bool onLoop) = await SendOnTheLoopAsync(pair, cache, timeout.Token);
            Assert.Equal(sink.Length, await receive);
            Assert.Equal(SocketLoop.IsEnabled, onLoop);
            allocated.Add(bytes);
        }

        // Through the framework the send moves between thread-pool threads, where one thread's count means nothing (and
        // SendPacketsAsync allocates about half a kilobyte per piece): the bytes and the thread are all that hold there.
        if (SocketLoop.IsEnabled)
        {
            Assert.True(allocated[^1] == 0, $"allocated per round: [{string.Join(", ", allocated)}] bytes");
        }
    }

    [Fact]
    public async Task ASequenceOfManySmallSegmentsIsGatheredAndByteExact()
    {
        using var timeout = TestTimeout.CreateSource();
        using LoopbackSocketPair pair = await LoopbackSocketPair.ConnectAsync(timeout.Token);
        byte[][] parts = Enumerable.Range(0, 50).Select(i => TestData.Random(100 + i, seed: 400 + i)).ToArray();
        var body = TestSequence.Create(parts);
        byte[] expected = parts.SelectMany(p => p).ToArray();

        Task<byte[]> receiving = LoopbackSocketPair.ReceiveExactlyAsync(pair.Client, expected.Length + 3, timeout.Token);
        await pair.Server.SendWithHeadAsync("abc"u8.ToArray(), body, null, timeout.Token);

        byte[] received = await receiving;
        Assert.Equal("abc", System.Text.Encoding.ASCII.GetString(received, 0, 3));
        ByteAssert.Equal(expected, received.AsSpan(3));
    }

    /// <summary>Sends most of the cache and says whether the code after the send ran on a loop thread.</summary>
    private static async Task<bool> SendAndTellWhereItContinuedAsync(VideoCache cache, Socket socket, CancellationToken cancellationToken)
    {
        await cache.SendToAsync(socket, 77, cache.Capacity - 77, cancellationToken).ConfigureAwait(false);
        return SocketLoop.IsLoopThread;
    }

    /// <summary>
    /// Moves onto the server socket's loop thread (a byte from the client, awaited there), then sends the whole cache and
    /// returns what that thread allocated meanwhile, and whether the send ended there.
    /// </summary>
    private static async Task<(long Allocated, bool OnLoop)> SendOnTheLoopAsync(LoopbackSocketPair pair, VideoCache cache, CancellationToken cancellationToken)
    {
        await LoopHop.MoveOntoLoopAsync(pair).ConfigureAwait(false);

        long start = GC.GetAllocatedBytesForCurrentThread();
        await cache.SendToAsync(pair.Server, 0, cache.Capacity, cancellationToken).ConfigureAwait(false);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - start;
        return (allocated, SocketLoop.IsLoopThread);
    }
}
