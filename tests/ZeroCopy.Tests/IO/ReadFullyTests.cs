using ZeroCopy.Tests.Infrastructure;

namespace ZeroCopy.Tests.IO;

/// <summary><see cref="StreamExtensions.ReadFullyAsync"/> against stream doubles.</summary>
public class ReadFullyTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ReadFullyFromAOneBytePerReadStreamFillsTheBuffer(bool asynchronous)
    {
        byte[] data = TestData.Random(5000, seed: 81);
        var stream = new OneBytePerReadStream(data, asynchronous);
        byte[] buffer = new byte[5000];

        int read = await stream.ReadFullyAsync(buffer);

        Assert.Equal(5000, read);
        Assert.Equal(5000, stream.ReadCalls);
        ByteAssert.Equal(data, buffer);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(999)]
    public async Task ReadFullyFromAStreamThatEndsEarlyReturnsTheShortCount(int available)
    {
        byte[] data = TestData.Pattern(available, start: 1);
        var stream = new EndsEarlyStream(data, announcedLength: 1000, maxReadSize: 7);
        byte[] buffer = new byte[1000];

        int read = await stream.ReadFullyAsync(buffer);

        Assert.Equal(available, read);
        ByteAssert.Equal(data, buffer.AsSpan(0, available));
        ByteAssert.All(0, buffer.AsSpan(available));
    }

    [Fact]
    public async Task ReadFullyFromAThrowingStreamPropagatesTheError()
    {
        var stream = new ThrowingStream(TestData.Pattern(100), throwAfter: 50);

        IOException e = await Assert.ThrowsAsync<IOException>(async () => await stream.ReadFullyAsync(new byte[100]));

        Assert.Equal(ThrowingStream.Message, e.Message);
    }

    [Fact]
    public async Task ReadFullyIntoAnEmptyBufferDoesNotRead()
    {
        var stream = new OneBytePerReadStream([1]);

        Assert.Equal(0, await stream.ReadFullyAsync(Memory<byte>.Empty));

        Assert.Equal(0, stream.ReadCalls);
    }

    [Fact]
    public async Task ReadFullyCanceledWhileTheStreamStallsThrows()
    {
        using var timeout = TestTimeout.CreateSource();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
        var stream = new StallingStream(TestData.Pattern(10, start: 1));
        byte[] buffer = new byte[100];

        ValueTask<int> read = stream.ReadFullyAsync(buffer, cancel.Token);
        await stream.Stalled.WaitAsync(timeout.Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await read);
        ByteAssert.Equal(TestData.Pattern(10, start: 1), buffer.AsSpan(0, 10));
    }
}
