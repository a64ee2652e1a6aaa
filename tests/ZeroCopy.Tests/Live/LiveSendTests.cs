using System.Buffers;
using System.Net.Sockets;
using ZeroCopy.Tests.Infrastructure;

namespace ZeroCopy.Tests.Live;

public class LiveSendTests
{
    private static LiveCache NewCache(LaggingReaderPolicy policy = LaggingReaderPolicy.SkipToSyncPoint) =>
        new(new LiveCacheOptions { Capacity = 64 * 1024, Memory = TestCaches.LiveMemory(64 * 1024), SegmentSize = 4096, LaggingReaderPolicy = policy });

    private static async Task<byte[]> ReceiveExactlyAsync(Socket socket, int length)
    {
        byte[] buffer = new byte[length];
        int received = await socket.ReceiveFullyAsync(buffer).Within();
        Assert.Equal(length, received);
        return buffer;
    }

    [Fact]
    public async Task SendToSendsThePublishedBytesToALoopbackViewerAndAdvances()
    {
        using var cache = NewCache();
        using LiveReader reader = cache.CreateReader();
        using LoopbackSocketPair viewer = await LoopbackSocketPair.ConnectAsync();
        byte[] data = new byte[10_000];
        new Random(1).NextBytes(data);
        cache.Write(data);

        long sent = await reader.SendToAsync(viewer.Server).Within();

        Assert.Equal(data.Length, sent);
        Assert.Equal(data.Length, reader.Position);
        Assert.Equal(data, await ReceiveExactlyAsync(viewer.Client, data.Length));
    }

    [Fact]
    public async Task SendToWaitsForDataAcrossTheWrapPointThenSendsIt()
    {
        using var cache = NewCache();
        cache.Write(new byte[60 * 1024]);
        using LiveReader reader = cache.CreateReader();
        using LoopbackSocketPair viewer = await LoopbackSocketPair.ConnectAsync();
        Task<long> sending = reader.SendToAsync(viewer.Server).AsTask();
        Assert.False(sending.IsCompleted);

        byte[] data = new byte[8 * 1024];
        new Random(2).NextBytes(data);
        cache.Write(data); // Published in two pieces (the wrap point): the send may wake after the first.

        long sent = await sending.Within();
        while (sent < data.Length)
        {
            sent += await reader.SendToAsync(viewer.Server).Within();
        }

        Assert.Equal(data.Length, sent);
        Assert.Equal(data, await ReceiveExactlyAsync(viewer.Client, data.Length));
    }

    [Fact]
    public async Task SendToReturnsZeroOnceTheStreamIsCompletedAndSent()
    {
        using var cache = NewCache();
        using LiveReader reader = cache.CreateReader();
        using LoopbackSocketPair viewer = await LoopbackSocketPair.ConnectAsync();
        cache.Write(new byte[100]);
        cache.Complete();

        long first = await reader.SendToAsync(viewer.Server).Within();
        long second = await reader.SendToAsync(viewer.Server).Within();

        Assert.Equal(100, first);
        Assert.Equal(0, second);
    }

    [Fact]
    public async Task SendToOnAReaderThatLaggedUnderTheDisconnectPolicyShutsTheConnectionDown()
    {
        using var cache = NewCache(LaggingReaderPolicy.Disconnect);
        using LiveReader reader = cache.CreateReader();
        using LoopbackSocketPair viewer = await LoopbackSocketPair.ConnectAsync();
        cache.Write(new byte[200 * 1024]);

        await Assert.ThrowsAsync<LiveReaderLappedException>(() => reader.SendToAsync(viewer.Server).AsTask());

        Assert.Equal(0, await viewer.Client.ReceiveAsync(new byte[16], SocketFlags.None).Within());
    }

    [Fact]
    public async Task CancelingASendThatWaitsLeavesTheReaderUsable()
    {
        using var cache = NewCache();
        using LiveReader reader = cache.CreateReader();
        using LoopbackSocketPair viewer = await LoopbackSocketPair.ConnectAsync();
        using var cancellation = new CancellationTokenSource();
        Task<long> waiting = reader.SendToAsync(viewer.Server, cancellation.Token).AsTask();

        await cancellation.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.Within());
        cache.Write([1, 2, 3]);

        Assert.Equal(3, await reader.SendToAsync(viewer.Server).Within());
        Assert.Equal(new byte[] { 1, 2, 3 }, await ReceiveExactlyAsync(viewer.Client, 3));
    }

    [Fact]
    public async Task ReadWhileASendIsInProgressThrows()
    {
        using var cache = NewCache();
        using LiveReader reader = cache.CreateReader();
        using LoopbackSocketPair viewer = await LoopbackSocketPair.ConnectAsync();
        Task<long> waiting = reader.SendToAsync(viewer.Server).AsTask();

        await Assert.ThrowsAsync<InvalidOperationException>(() => reader.ReadAsync().AsTask());
        await Assert.ThrowsAsync<ArgumentNullException>(() => reader.SendToAsync(null!).AsTask());

        cache.Write([1]);
        Assert.Equal(1, await waiting.Within());
    }

    [Fact]
    public async Task DisposingAReaderWhileItsSendWaitsEndsTheSendAndReleasesTheReader()
    {
        using var cache = NewCache();
        LiveReader reader = cache.CreateReader();
        using LoopbackSocketPair viewer = await LoopbackSocketPair.ConnectAsync();
        Task<long> waiting = reader.SendToAsync(viewer.Server).AsTask();

        reader.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => waiting.Within());
        Assert.Equal(0, cache.ReaderCount);
    }
}
