using System.Net.Sockets;
using ZeroCopy.Tests.Infrastructure;

namespace ZeroCopy.Tests.IO;

/// <summary><see cref="SocketExtensions.ReceiveAtLeastAsync"/> over real loopback sockets.</summary>
public class ReceiveAtLeastTests
{
    [Fact]
    public async Task ReceiveAtLeastWaitsForTheMinimumAcrossSeveralSends()
    {
        using var timeout = TestTimeout.CreateSource();
        using LoopbackSocketPair pair = await LoopbackSocketPair.ConnectAsync(timeout.Token);
        byte[] data = TestData.Pattern(100, start: 1);
        byte[] buffer = new byte[1000];

        Task send = LoopbackSocketPair.SendInPiecesAsync(pair.Client, data, [1, 7], timeout.Token);
        int received = await pair.Server.ReceiveAtLeastAsync(buffer, 100, timeout.Token);
        await send;

        Assert.Equal(100, received);
        ByteAssert.Equal(data, buffer.AsSpan(0, 100));
    }

    [Fact]
    public async Task ReceiveAtLeastTakesWhatIsAlreadyThereUpToTheBuffer()
    {
        using var timeout = TestTimeout.CreateSource();
        using LoopbackSocketPair pair = await LoopbackSocketPair.ConnectAsync(timeout.Token);
        byte[] data = TestData.Pattern(500, start: 1);
        await pair.Client.SendAsync(data, SocketFlags.None, timeout.Token);
        LoopbackSocketPair.WaitUntilAvailable(pair.Server, 500);
        byte[] buffer = new byte[300];

        int received = await pair.Server.ReceiveAtLeastAsync(buffer, 10, timeout.Token);

        Assert.Equal(300, received); // everything that fits, not just the minimum
        ByteAssert.Equal(data.AsSpan(0, 300), buffer);
    }

    [Fact]
    public async Task ReceiveAtLeastReturnsTheShortCountWhenThePeerClosesFirst()
    {
        using var timeout = TestTimeout.CreateSource();
        using LoopbackSocketPair pair = await LoopbackSocketPair.ConnectAsync(timeout.Token);
        byte[] data = TestData.Pattern(30, start: 1);
        await pair.Client.SendAsync(data, SocketFlags.None, timeout.Token);
        pair.Client.Shutdown(SocketShutdown.Send);
        byte[] buffer = new byte[100];

        int received = await pair.Server.ReceiveAtLeastAsync(buffer, 50, timeout.Token);

        Assert.Equal(30, received);
        ByteAssert.Equal(data, buffer.AsSpan(0, 30));
        ByteAssert.All(0, buffer.AsSpan(30));
    }

    [Fact]
    public async Task ReceiveAtLeastZeroBytesReturnsZeroWithoutReceiving()
    {
        using var timeout = TestTimeout.CreateSource();
        using LoopbackSocketPair pair = await LoopbackSocketPair.ConnectAsync(timeout.Token);
        await pair.Client.SendAsync(TestData.Pattern(5), SocketFlags.None, timeout.Token);
        LoopbackSocketPair.WaitUntilAvailable(pair.Server, 5);

        ValueTask<int> receive = pair.Server.ReceiveAtLeastAsync(new byte[10], 0, timeout.Token);

        Assert.True(receive.IsCompletedSuccessfully);
        Assert.Equal(0, await receive);
        Assert.Equal(5, pair.Server.Available);
    }
}
