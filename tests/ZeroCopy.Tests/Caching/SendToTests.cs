using System.Net.Sockets;
using ZeroCopy.Tests.Infrastructure;

namespace ZeroCopy.Tests.Caching;

/// <summary><see cref="VideoCache.SendToAsync"/> over real loopback sockets delivers exactly the range's bytes.</summary>
public class SendToTests
{
    private const int SegmentSize = VideoCache.MinSegmentSize;

    [Theory]
    [InlineData(0, 1)]
    [InlineData(10, 100)]                                // inside one segment
    [InlineData(SegmentSize - 1, 2)]                     // one byte either side of a boundary
    [InlineData(SegmentSize, SegmentSize)]               // exactly one segment
    [InlineData(SegmentSize - 5, (3 * SegmentSize) + 10)] // several segments
    [InlineData(0, (8 * SegmentSize) + 77)]              // the whole cache, short last segment included
    public async Task SendToDeliversExactlyTheBytesOfTheRange(long offset, long length)
    {
        using var timeout = TestTimeout.CreateSource();
        using LoopbackSocketPair pair = await LoopbackSocketPair.ConnectAsync(timeout.Token);
        using var cache = TestCaches.Video((8 * SegmentSize) + 77, SegmentSize);
        byte[] content = TestData.Random((int)cache.Capacity, seed: 21);
        cache.Write(0, content);

        Task<byte[]> receive = LoopbackSocketPair.ReceiveToEndAsync(pair.Server, timeout.Token);
        await cache.SendToAsync(pair.Client, offset, length, timeout.Token);
        pair.Client.Shutdown(SocketShutdown.Send);

        byte[] received = await receive;
        ByteAssert.Equal(content.AsSpan((int)offset, (int)length), received, $"offset {offset}, length {length}");
    }

    [Fact]
    public async Task SendToOfALargeRangeLargerThanTheSocketBuffersDeliversEveryByte()
    {
        // 24 MiB in 4 MiB segments: many times the socket buffers, so sends go asynchronous and pieces are bounded.
        using var timeout = TestTimeout.CreateSource();
        using LoopbackSocketPair pair = await LoopbackSocketPair.ConnectAsync(timeout.Token);
        const int LargeSegment = 4 * 1024 * 1024;
        using var cache = TestCaches.Video(6L * LargeSegment, LargeSegment);
        byte[] content = TestData.Random((int)cache.Capacity, seed: 22);
        cache.Write(0, content);
        const long Offset = LargeSegment - 12_345;
        long length = cache.Capacity - Offset - 999;

        Task<byte[]> receive = LoopbackSocketPair.ReceiveToEndAsync(pair.Server, timeout.Token);
        await cache.SendToAsync(pair.Client, Offset, length, timeout.Token);
        pair.Client.Shutdown(SocketShutdown.Send);

        byte[] received = await receive;
        ByteAssert.Equal(content.AsSpan((int)Offset, (int)length), received);
    }

    [Fact]
    public async Task SendToOfZeroBytesSendsNothing()
    {
        using var timeout = TestTimeout.CreateSource();
        using LoopbackSocketPair pair = await LoopbackSocketPair.ConnectAsync(timeout.Token);
        using var cache = TestCaches.Video(SegmentSize, SegmentSize);

        await cache.SendToAsync(pair.Client, SegmentSize, 0, timeout.Token);
        pair.Client.Shutdown(SocketShutdown.Send);

        Assert.Empty(await LoopbackSocketPair.ReceiveToEndAsync(pair.Server, timeout.Token));
    }

    [Fact]
    public async Task SendToWithACanceledTokenThrows()
    {
        using var timeout = TestTimeout.CreateSource();
        using LoopbackSocketPair pair = await LoopbackSocketPair.ConnectAsync(timeout.Token);
        using var cache = TestCaches.Video(2 * SegmentSize, SegmentSize);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            async () => await cache.SendToAsync(pair.Client, 0, 2 * SegmentSize, new CancellationToken(canceled: true)));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            async () => await cache.SendToAsync(pair.Client, 0, 0, new CancellationToken(canceled: true)));
    }
}
