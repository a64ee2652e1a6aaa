using ZeroCopy.Tests.Infrastructure;

namespace ZeroCopy.Tests.Caching;

/// <summary><see cref="VideoCache.ReadIntoAsync"/> against streams that misbehave in every legal way.</summary>
public class ReadIntoTests
{
    private const int SegmentSize = VideoCache.MinSegmentSize;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ReadIntoFromAOneBytePerReadStreamFillsTheRangeAcrossSegments(bool asynchronous)
    {
        using var timeout = TestTimeout.CreateSource();
        using var cache = TestCaches.Video(4 * SegmentSize, SegmentSize);
        TestData.Fill(cache, 0xEE);
        byte[] data = TestData.Random((2 * SegmentSize) + 3, seed: 12);
        var stream = new OneBytePerReadStream(data, asynchronous);
        const long Offset = SegmentSize - 1;

        long read = await cache.ReadIntoAsync(stream, Offset, data.Length, timeout.Token);

        Assert.Equal(data.Length, read);
        Assert.Equal(data.Length, stream.ReadCalls);
        ByteAssert.Equal(data, cache.ReadSlice(Offset, data.Length));
        ByteAssert.All(0xEE, cache.ReadSlice(0, Offset));
        ByteAssert.All(0xEE, cache.ReadSlice(Offset + data.Length, cache.Capacity - Offset - data.Length));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(SegmentSize - 100)]
    [InlineData(SegmentSize)]
    [InlineData((2 * SegmentSize) + 1)]
    public async Task ReadIntoFromAStreamThatEndsEarlyReturnsTheShortCountAndLeavesTheRest(int available)
    {
        using var timeout = TestTimeout.CreateSource();
        using var cache = TestCaches.Video(4 * SegmentSize, SegmentSize);
        TestData.Fill(cache, 0xEE);
        byte[] data = TestData.Random(available, seed: available);
        var stream = new EndsEarlyStream(data, announcedLength: 3 * SegmentSize, maxReadSize: 4093);
        const long Offset = 100;

        long read = await cache.ReadIntoAsync(stream, Offset, 3 * SegmentSize, timeout.Token);

        Assert.Equal(available, read);
        ByteAssert.Equal(data, cache.ReadSlice(Offset, available));
        ByteAssert.All(0xEE, cache.ReadSlice(Offset + available, cache.Capacity - Offset - available), "bytes past the short count keep their contents");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(10)]
    [InlineData(SegmentSize + 10)]
    public async Task ReadIntoFromAThrowingStreamPropagatesTheErrorAndKeepsThePrefix(int throwAfter)
    {
        using var timeout = TestTimeout.CreateSource();
        using var cache = TestCaches.Video(4 * SegmentSize, SegmentSize);
        TestData.Fill(cache, 0xEE);
        byte[] data = TestData.Random(3 * SegmentSize, seed: 4);
        var stream = new ThrowingStream(data, throwAfter);
        const long Offset = SegmentSize / 2;

        IOException e = await Assert.ThrowsAsync<IOException>(async () => await cache.ReadIntoAsync(stream, Offset, data.Length, timeout.Token));

        Assert.Equal(ThrowingStream.Message, e.Message);
        ByteAssert.Equal(data.AsSpan(0, throwAfter), cache.ReadSlice(Offset, throwAfter));
        ByteAssert.All(0xEE, cache.ReadSlice(Offset + throwAfter, cache.Capacity - Offset - throwAfter));
        AssertStillUsable(cache);
    }

    [Fact]
    public async Task ReadIntoCanceledWhileTheStreamStallsThrowsAndKeepsThePrefix()
    {
        using var timeout = TestTimeout.CreateSource();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
        using var cache = TestCaches.Video(4 * SegmentSize, SegmentSize);
        TestData.Fill(cache, 0xEE);
        byte[] prefix = TestData.Pattern(SegmentSize + 7, start: 1);
        var stream = new StallingStream(prefix);
        const long Offset = SegmentSize - 3;

        ValueTask<long> read = cache.ReadIntoAsync(stream, Offset, 2 * SegmentSize, cancel.Token);
        await stream.Stalled.WaitAsync(timeout.Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await read);
        ByteAssert.Equal(prefix, cache.ReadSlice(Offset, prefix.Length));
        ByteAssert.All(0xEE, cache.ReadSlice(Offset + prefix.Length, cache.Capacity - Offset - prefix.Length));
        AssertStillUsable(cache);
    }

    [Fact]
    public async Task ReadIntoFromAMemoryStreamFillsTheWholeCache()
    {
        using var timeout = TestTimeout.CreateSource();
        int capacity = (3 * SegmentSize) + 5;
        using var cache = TestCaches.Video(capacity, SegmentSize);
        byte[] data = TestData.Random(capacity + 10, seed: 6);
        using var stream = new MemoryStream(data);

        long read = await cache.ReadIntoAsync(stream, 0, capacity, timeout.Token);

        Assert.Equal(capacity, read);
        Assert.Equal(capacity, stream.Position); // the stream is not read past the range
        ByteAssert.Equal(data.AsSpan(0, capacity), cache.ReadSlice(0, capacity));
    }

    [Fact]
    public async Task ReadIntoOfZeroBytesDoesNotReadTheStream()
    {
        using var cache = TestCaches.Video(SegmentSize, SegmentSize);
        var stream = new OneBytePerReadStream([1, 2, 3]);

        Assert.Equal(0, await cache.ReadIntoAsync(stream, 10, 0));

        Assert.Equal(0, stream.ReadCalls);
    }

    private static void AssertStillUsable(VideoCache cache)
    {
        byte[] data = TestData.Random((int)cache.Capacity, seed: 1);
        cache.Write(0, data);
        ByteAssert.Equal(data, cache.ReadSlice(0, cache.Capacity));
    }
}
