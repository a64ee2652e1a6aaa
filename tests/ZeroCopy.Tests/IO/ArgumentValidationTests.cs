using System.Buffers;
using System.Globalization;
using System.Net.Sockets;
using ZeroCopy.Tests.Infrastructure;

namespace ZeroCopy.Tests.IO;

public class ArgumentValidationTests
{
    [Fact]
    public async Task NullSocketThrowsArgumentNullExceptionNamingIt()
    {
        Socket socket = null!;

        Assert.Equal("socket", (await Assert.ThrowsAsync<ArgumentNullException>(async () => await socket.ReceiveFullyAsync(new byte[1]))).ParamName);
        Assert.Equal("socket", (await Assert.ThrowsAsync<ArgumentNullException>(async () => await socket.ReceiveAtLeastAsync(new byte[1], 1))).ParamName);
        Assert.Equal("socket", (await Assert.ThrowsAsync<ArgumentNullException>(async () => await socket.SendAsync(new ReadOnlySequence<byte>(new byte[1])))).ParamName);
        Assert.Equal("socket", (await Assert.ThrowsAsync<ArgumentNullException>(async () => await socket.SendAsync(new ReadOnlySequence<byte>(new byte[1]), 10))).ParamName);
        Assert.Equal("socket", (await Assert.ThrowsAsync<ArgumentNullException>(async () => await socket.SendAsync(ReadOnlySequence<byte>.Empty))).ParamName);
    }

    [Fact]
    public async Task NullStreamThrowsArgumentNullExceptionNamingIt()
    {
        Stream stream = null!;

        Assert.Equal("stream", (await Assert.ThrowsAsync<ArgumentNullException>(async () => await stream.ReadFullyAsync(new byte[1]))).ParamName);
        Assert.Equal("stream", (await Assert.ThrowsAsync<ArgumentNullException>(async () => await stream.WriteAsync(new ReadOnlySequence<byte>(new byte[1]), CancellationToken.None))).ParamName);
        Assert.Equal("stream", (await Assert.ThrowsAsync<ArgumentNullException>(async () => await stream.WriteAsync(ReadOnlySequence<byte>.Empty, CancellationToken.None))).ParamName);
    }

    [Theory]
    [InlineData(-1, 10)]
    [InlineData(int.MinValue, 10)]
    [InlineData(11, 10)]
    [InlineData(1, 0)]
    [InlineData(int.MaxValue, 10)]
    public async Task MinimumBytesOutOfRangeThrowsWithTheValues(int minimumBytes, int bufferLength)
    {
        using var timeout = TestTimeout.CreateSource();
        using LoopbackSocketPair pair = await LoopbackSocketPair.ConnectAsync(timeout.Token);

        ArgumentOutOfRangeException e = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            async () => await pair.Server.ReceiveAtLeastAsync(new byte[bufferLength], minimumBytes, timeout.Token));

        Assert.Equal("minimumBytes", e.ParamName);
        Assert.Contains($"{minimumBytes}", e.Message, StringComparison.Ordinal);
        Assert.Contains($"{bufferLength}", e.Message, StringComparison.Ordinal);

        // The socket is untouched and still works.
        await pair.Client.SendAsync(TestData.Pattern(3, start: 1), SocketFlags.None, timeout.Token);
        byte[] buffer = new byte[3];
        Assert.Equal(3, await pair.Server.ReceiveFullyAsync(buffer, timeout.Token));
        ByteAssert.Equal(TestData.Pattern(3, start: 1), buffer);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public async Task NonPositiveMaxSendSizeThrowsWithTheValue(int maxSendSize)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

        ArgumentOutOfRangeException e = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            async () => await socket.SendAsync(new ReadOnlySequence<byte>(new byte[10]), maxSendSize));
        ArgumentOutOfRangeException empty = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            async () => await socket.SendAsync(ReadOnlySequence<byte>.Empty, maxSendSize));

        Assert.Equal("maxSendSize", e.ParamName);
        Assert.Equal(maxSendSize, Convert.ToInt64(e.ActualValue, CultureInfo.InvariantCulture));
        Assert.Contains($"{maxSendSize}", e.Message, StringComparison.Ordinal);
        Assert.Equal("maxSendSize", empty.ParamName);
    }
}
