using System.Net.Sockets;
using ZeroCopy.Tests.Infrastructure;

namespace ZeroCopy.Tests.IO;

/// <summary><see cref="SocketExtensions.ReceiveFullyAsync"/> over real loopback sockets.</summary>
public class ReceiveFullyTests
{
    [Theory]
    [InlineData(new[] { 1 }, 5000)]
    [InlineData(new[] { 1, 7, 4093, 65537 }, 200_000)]
    [InlineData(new[] { 65537 }, 1_000_000)]
    public async Task ReceiveFullyFillsTheBufferFromOddSizedSends(int[] pieceSizes, int length)
    {
        using var timeout = TestTimeout.CreateSource();
        using LoopbackSocketPair pair = await LoopbackSocketPair.ConnectAsync(timeout.Token);
        byte[] data = TestData.Random(length, seed: length);
        byte[] buffer = new byte[length];

        Task send = LoopbackSocketPair.SendInPiecesAsync(pair.Client, data, pieceSizes, timeout.Token);
        int received = await pair.Server.ReceiveFullyAsync(buffer, timeout.Token);
        await send;

        Assert.Equal(length, received);
        ByteAssert.Equal(data, buffer);
    }

    [Fact]
    public async Task ReceiveFullyTakesNoMoreThanTheBuffer()
    {
        using var timeout = TestTimeout.CreateSource();
        using LoopbackSocketPair pair = await LoopbackSocketPair.ConnectAsync(timeout.Token);
        byte[] data = TestData.Pattern(1000);
        await pair.Client.SendAsync(data, SocketFlags.None, timeout.Token);
        pair.Client.Shutdown(SocketShutdown.Send);

        byte[] first = new byte[300];
        byte[] rest = new byte[1000];
        Assert.Equal(300, await pair.Server.ReceiveFullyAsync(first, timeout.Token));
        Assert.Equal(700, await pair.Server.ReceiveFullyAsync(rest, timeout.Token));

        ByteAssert.Equal(data.AsSpan(0, 300), first);
        ByteAssert.Equal(data.AsSpan(300), rest.AsSpan(0, 700));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4093)]
    public async Task ReceiveFullyReturnsTheShortCountWhenThePeerCloses(int sentBytes)
    {
        using var timeout = TestTimeout.CreateSource();
        using LoopbackSocketPair pair = await LoopbackSocketPair.ConnectAsync(timeout.Token);
        byte[] data = TestData.Pattern(sentBytes, start: 1);
        byte[] buffer = new byte[10_000];
        Array.Fill(buffer, (byte)0xEE);

        await LoopbackSocketPair.SendInPiecesAsync(pair.Client, data, [7], timeout.Token);
        pair.Client.Shutdown(SocketShutdown.Send);
        int received = await pair.Server.ReceiveFullyAsync(buffer, timeout.Token);

        Assert.Equal(sentBytes, received);
        ByteAssert.Equal(data, buffer.AsSpan(0, sentBytes));
        ByteAssert.All(0xEE, buffer.AsSpan(sentBytes));
    }

    [Fact]
    public async Task ReceiveFullyIntoAnEmptyBufferReturnsZeroWithoutReceiving()
    {
        using var timeout = TestTimeout.CreateSource();
        using LoopbackSocketPair pair = await LoopbackSocketPair.ConnectAsync(timeout.Token);
        await pair.Client.SendAsync(TestData.Pattern(5), SocketFlags.None, timeout.Token);
        LoopbackSocketPair.WaitUntilAvailable(pair.Server, 5);

        Assert.Equal(0, await pair.Server.ReceiveFullyAsync(Memory<byte>.Empty, timeout.Token));

        Assert.Equal(5, pair.Server.Available);
    }

    [Fact]
    public async Task ReceiveFullyCanceledWhileWaitingThrowsOperationCanceledException()
    {
        using var timeout = TestTimeout.CreateSource();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
        using LoopbackSocketPair pair = await LoopbackSocketPair.ConnectAsync(timeout.Token);
        byte[] buffer = new byte[100];
        await pair.Client.SendAsync(TestData.Pattern(10, start: 1), SocketFlags.None, timeout.Token);

        ValueTask<int> receive = pair.Server.ReceiveFullyAsync(buffer, cancel.Token);
        while (buffer[9] == 0)
        {
            await Task.Delay(1, timeout.Token); // wait until the first ten bytes have landed
        }

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await receive);
        ByteAssert.Equal(TestData.Pattern(10, start: 1), buffer.AsSpan(0, 10));
        ByteAssert.All(0, buffer.AsSpan(10));
    }
}
