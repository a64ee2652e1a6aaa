using System.Buffers;
using System.Net.Sockets;
using ZeroCopy.Tests.Infrastructure;

namespace ZeroCopy.Tests.Caching;

/// <summary><see cref="VideoCache.ReceiveIntoAsync"/> over real loopback sockets.</summary>
public class ReceiveIntoTests
{
    private const int SegmentSize = VideoCache.MinSegmentSize;

    public static TheoryData<int[], int, long> OddPieces => new()
    {
        { [1, 7, 4093, 65537], 200_000, SegmentSize - 3 },
        { [1], 3 * SegmentSize, SegmentSize - 1 },
        { [4093], (5 * SegmentSize) + 11, 0 },
        { [65537, 1, 7], 300_000, 12_345 },
        { [SegmentSize], 4 * SegmentSize, SegmentSize },
        { [SegmentSize + 1, SegmentSize - 1], 10 * SegmentSize, 7 * SegmentSize },
    };

    [Theory]
    [MemberData(nameof(OddPieces))]
    public async Task ReceiveIntoAssemblesOddSizedSendsAcrossSegmentsExactly(int[] pieceSizes, int length, long offset)
    {
        using var timeout = TestTimeout.CreateSource();
        using LoopbackSocketPair pair = await LoopbackSocketPair.ConnectAsync(timeout.Token);
        using var cache = TestCaches.Video(offset + length + (2 * SegmentSize), SegmentSize);
        TestData.Fill(cache, 0xEE);
        byte[] data = TestData.Random(length, seed: length);

        Task send = LoopbackSocketPair.SendInPiecesAsync(pair.Client, data, pieceSizes, timeout.Token);
        long received = await cache.ReceiveIntoAsync(pair.Server, offset, length, timeout.Token);
        await send;

        Assert.Equal(length, received);
        ByteAssert.Equal(data, cache.ReadSlice(offset, length), $"pieces [{string.Join(", ", pieceSizes)}]");
        ByteAssert.All(0xEE, cache.ReadSlice(0, offset), "bytes before the range");
        ByteAssert.All(0xEE, cache.ReadSlice(offset + length, cache.Capacity - offset - length), "bytes after the range");
    }

    [Fact]
    public async Task ReceiveIntoTakesOnlyTheRangeAndLeavesTheRestOnTheSocket()
    {
        using var timeout = TestTimeout.CreateSource();
        using LoopbackSocketPair pair = await LoopbackSocketPair.ConnectAsync(timeout.Token);
        using var cache = TestCaches.Video(4 * SegmentSize, SegmentSize);
        byte[] data = TestData.Random(3 * SegmentSize, seed: 8);
        await pair.Client.SendAsync(data, SocketFlags.None, timeout.Token);
        pair.Client.Shutdown(SocketShutdown.Send);

        long first = await cache.ReceiveIntoAsync(pair.Server, SegmentSize - 10, SegmentSize + 20, timeout.Token);
        long second = await cache.ReceiveIntoAsync(pair.Server, 0, (2 * SegmentSize) - 20, timeout.Token);

        Assert.Equal(SegmentSize + 20, first);
        Assert.Equal((2 * SegmentSize) - 20, second);
        ByteAssert.Equal(data.AsSpan(SegmentSize + 20), cache.ReadSlice(0, (2 * SegmentSize) - 20));
        Assert.Equal(0, await cache.ReceiveIntoAsync(pair.Server, 0, 1, timeout.Token));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(SegmentSize - 1)]
    [InlineData(SegmentSize)]
    [InlineData((2 * SegmentSize) + 17)]
    public async Task ReceiveIntoReturnsTheShortCountWhenThePeerClosesMidRange(int sentBytes)
    {
        using var timeout = TestTimeout.CreateSource();
        using LoopbackSocketPair pair = await LoopbackSocketPair.ConnectAsync(timeout.Token);
        using var cache = TestCaches.Video(4 * SegmentSize, SegmentSize);
        TestData.Fill(cache, 0xEE);
        byte[] data = TestData.Random(sentBytes, seed: sentBytes);
        const long Offset = 100;
        const int Length = 3 * SegmentSize;

        Task send = Task.Run(
            async () =>
            {
                await LoopbackSocketPair.SendInPiecesAsync(pair.Client, data, [1, 4093], timeout.Token);
                pair.Client.Shutdown(SocketShutdown.Both);
                pair.Client.Close();
            },
            timeout.Token);
        long received = await cache.ReceiveIntoAsync(pair.Server, Offset, Length, timeout.Token);
        await send;

        Assert.Equal(sentBytes, received);
        ByteAssert.Equal(data, cache.ReadSlice(Offset, sentBytes));
        ByteAssert.All(0xEE, cache.ReadSlice(Offset + sentBytes, cache.Capacity - Offset - sentBytes), "bytes past the short count keep their contents");
        ByteAssert.All(0xEE, cache.ReadSlice(0, Offset));
    }

    [Fact]
    public async Task ReceiveIntoCanceledMidReceiveThrowsAndTheCacheStaysUsable()
    {
        using var timeout = TestTimeout.CreateSource();
        using LoopbackSocketPair pair = await LoopbackSocketPair.ConnectAsync(timeout.Token);
        using var cache = TestCaches.Video(4 * SegmentSize, SegmentSize);
        TestData.Fill(cache, 0xEE);
        byte[] prefix = TestData.Pattern(SegmentSize + 500, start: 1); // crosses a boundary; no byte is 0xEE
        const long Offset = SegmentSize - 200;
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);

        await pair.Client.SendAsync(prefix, SocketFlags.None, timeout.Token);
        ValueTask<long> receive = cache.ReceiveIntoAsync(pair.Server, Offset, 2 * SegmentSize, cancel.Token);

        // The prefix has landed (the receive is now waiting for the rest): cancel it mid-range.
        await WaitUntilAsync(() => cache.ReadSlice(Offset, prefix.Length).ToArray().AsSpan().SequenceEqual(prefix), timeout.Token);
        Assert.False(receive.IsCompleted);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await receive);

        ByteAssert.Equal(prefix, cache.ReadSlice(Offset, prefix.Length));
        ByteAssert.All(0xEE, cache.ReadSlice(Offset + prefix.Length, cache.Capacity - Offset - prefix.Length), "nothing past the received prefix");

        // Still usable: writes, reads, and a new receive on a fresh connection.
        byte[] data = TestData.Random(3 * SegmentSize, seed: 3);
        cache.Write(SegmentSize / 2, data);
        ByteAssert.Equal(data, cache.ReadSlice(SegmentSize / 2, data.Length));
        using LoopbackSocketPair fresh = await LoopbackSocketPair.ConnectAsync(timeout.Token);
        Task send = LoopbackSocketPair.SendInPiecesAsync(fresh.Client, data, [4093], timeout.Token);
        Assert.Equal(data.Length, await cache.ReceiveIntoAsync(fresh.Server, 0, data.Length, timeout.Token));
        await send;
        ByteAssert.Equal(data, cache.ReadSlice(0, data.Length));
    }

    [Fact]
    public async Task ReceiveIntoWithAnAlreadyCanceledTokenThrowsAndWritesNothing()
    {
        using var timeout = TestTimeout.CreateSource();
        using LoopbackSocketPair pair = await LoopbackSocketPair.ConnectAsync(timeout.Token);
        using var cache = TestCaches.Video(2 * SegmentSize, SegmentSize);
        TestData.Fill(cache, 0xEE);
        await pair.Client.SendAsync(TestData.Pattern(100), SocketFlags.None, timeout.Token);
        LoopbackSocketPair.WaitUntilAvailable(pair.Server, 100);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            async () => await cache.ReceiveIntoAsync(pair.Server, 0, 100, new CancellationToken(canceled: true)));

        ByteAssert.All(0xEE, cache.ReadSlice(0, cache.Capacity));
        Assert.Equal(100, await cache.ReceiveIntoAsync(pair.Server, 0, 100, timeout.Token));
        ByteAssert.Equal(TestData.Pattern(100), cache.ReadSlice(0, 100));
    }

    [Fact]
    public async Task ReceiveIntoOfZeroBytesReturnsZeroWithoutTouchingTheSocket()
    {
        using var timeout = TestTimeout.CreateSource();
        using LoopbackSocketPair pair = await LoopbackSocketPair.ConnectAsync(timeout.Token);
        using var cache = TestCaches.Video(SegmentSize, SegmentSize);
        await pair.Client.SendAsync(TestData.Pattern(10), SocketFlags.None, timeout.Token);
        LoopbackSocketPair.WaitUntilAvailable(pair.Server, 10);

        Assert.Equal(0, await cache.ReceiveIntoAsync(pair.Server, SegmentSize, 0, timeout.Token));

        Assert.Equal(10, pair.Server.Available);
    }

    [Fact]
    public async Task ReceiveIntoFromAResetConnectionThrowsSocketException()
    {
        using var timeout = TestTimeout.CreateSource();
        using LoopbackSocketPair pair = await LoopbackSocketPair.ConnectAsync(timeout.Token);
        using var cache = TestCaches.Video(2 * SegmentSize, SegmentSize);

        pair.Client.LingerState = new LingerOption(enable: true, seconds: 0); // close with RST
        pair.Client.Close();

        await Assert.ThrowsAsync<SocketException>(async () => await cache.ReceiveIntoAsync(pair.Server, 0, SegmentSize, timeout.Token));
        byte[] data = TestData.Pattern(SegmentSize);
        cache.Write(0, data);
        ByteAssert.Equal(data, cache.ReadSlice(0, SegmentSize));
    }

    private static async Task WaitUntilAsync(Func<bool> condition, CancellationToken cancellationToken)
    {
        while (!condition())
        {
            await Task.Delay(1, cancellationToken);
        }
    }
}
