using System.Buffers;
using System.Net.Sockets;
using ZeroCopy.Tests.Infrastructure;

namespace ZeroCopy.Tests.IO;

/// <summary><see cref="SocketExtensions.SendAsync(Socket, ReadOnlySequence{byte}, int, CancellationToken)"/> over real loopback sockets.</summary>
public class SendSequenceTests
{
    public static TheoryData<int[], int> Shapes => new()
    {
        { [100], 100 },                            // one segment
        { [1, 7, 4093, 65537], 300_000 },          // odd segments
        { [0, 5, 0, 0, 9], 1000 },                 // empty segments in the chain
        { [3 * 1024 * 1024], 5 * 1024 * 1024 },    // segments larger than the default max send size
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public async Task SendSequenceDeliversExactlyItsBytes(int[] segmentLengths, int length)
    {
        using var timeout = TestTimeout.CreateSource();
        using LoopbackSocketPair pair = await LoopbackSocketPair.ConnectAsync(timeout.Token);
        byte[] data = TestData.Random(length, seed: length);
        ReadOnlySequence<byte> sequence = TestSequence.Split(data, segmentLengths);

        Task<byte[]> receive = LoopbackSocketPair.ReceiveToEndAsync(pair.Server, timeout.Token);
        await pair.Client.SendAsync(sequence, timeout.Token);
        pair.Client.Shutdown(SocketShutdown.Send);

        byte[] received = await receive;
        ByteAssert.Equal(data, received);
    }

    [Theory]
    [InlineData(1, 3000)]
    [InlineData(7, 50_000)]
    [InlineData(4093, 300_000)]
    [InlineData(VideoCache.MinSegmentSize, (3 * VideoCache.MinSegmentSize) + 1)]
    [InlineData(int.MaxValue, 100_000)]
    public async Task SendSequenceWithASmallMaxSendSizeDeliversExactlyItsBytes(int maxSendSize, int length)
    {
        using var timeout = TestTimeout.CreateSource();
        using LoopbackSocketPair pair = await LoopbackSocketPair.ConnectAsync(timeout.Token);
        byte[] data = TestData.Random(length, seed: maxSendSize);
        ReadOnlySequence<byte> sequence = TestSequence.Split(data, 10_000, 1, 33_333);

        Task<byte[]> receive = LoopbackSocketPair.ReceiveToEndAsync(pair.Server, timeout.Token);
        await pair.Client.SendAsync(sequence, maxSendSize, timeout.Token);
        pair.Client.Shutdown(SocketShutdown.Send);

        byte[] received = await receive;
        ByteAssert.Equal(data, received, $"maxSendSize {maxSendSize}");
    }

    [Fact]
    public async Task SendSequenceOfACacheRangeWithASmallMaxSendSizeDeliversExactlyItsBytes()
    {
        using var timeout = TestTimeout.CreateSource();
        using LoopbackSocketPair pair = await LoopbackSocketPair.ConnectAsync(timeout.Token);
        using var cache = TestCaches.Video(10 * VideoCache.MinSegmentSize, VideoCache.MinSegmentSize);
        byte[] content = TestData.Random((int)cache.Capacity, seed: 61);
        cache.Write(0, content);
        const int Offset = 1000;
        int length = (int)cache.Capacity - 2000;

        Task<byte[]> receive = LoopbackSocketPair.ReceiveToEndAsync(pair.Server, timeout.Token);
        await pair.Client.SendAsync(cache.ReadSlice(Offset, length), 1500, timeout.Token);
        pair.Client.Shutdown(SocketShutdown.Send);

        byte[] received = await receive;
        ByteAssert.Equal(content.AsSpan(Offset, length), received);
    }

    [Fact]
    public async Task SendSequenceOfNothingSendsNothing()
    {
        using var timeout = TestTimeout.CreateSource();
        using LoopbackSocketPair pair = await LoopbackSocketPair.ConnectAsync(timeout.Token);

        ValueTask send = pair.Client.SendAsync(ReadOnlySequence<byte>.Empty, timeout.Token);
        Assert.True(send.IsCompletedSuccessfully);
        await send;
        await pair.Client.SendAsync(TestSequence.Create([], []), 1, timeout.Token);
        pair.Client.Shutdown(SocketShutdown.Send);

        Assert.Empty(await LoopbackSocketPair.ReceiveToEndAsync(pair.Server, timeout.Token));
    }

    [Fact]
    public async Task SendSequenceWithACanceledTokenThrowsEvenWhenEmpty()
    {
        using var timeout = TestTimeout.CreateSource();
        using LoopbackSocketPair pair = await LoopbackSocketPair.ConnectAsync(timeout.Token);
        var canceled = new CancellationToken(canceled: true);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await pair.Client.SendAsync(ReadOnlySequence<byte>.Empty, canceled));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await pair.Client.SendAsync(TestSequence.Create(new byte[10], new byte[10]), canceled));
    }

    [Fact]
    public async Task SendSequenceToAResetConnectionThrowsSocketException()
    {
        using var timeout = TestTimeout.CreateSource();
        using LoopbackSocketPair pair = await LoopbackSocketPair.ConnectAsync(timeout.Token);
        pair.Server.LingerState = new LingerOption(enable: true, seconds: 0);
        pair.Server.Close(); // the peer resets the connection
        byte[] data = new byte[1024 * 1024];

        // The first sends may still be accepted by the kernel before the reset is seen; keep sending until it is.
        await Assert.ThrowsAsync<SocketException>(async () =>
        {
            for (int i = 0; i < 1000; i++)
            {
                await pair.Client.SendAsync(TestSequence.Create(data, data), timeout.Token);
            }
        });
    }
}
