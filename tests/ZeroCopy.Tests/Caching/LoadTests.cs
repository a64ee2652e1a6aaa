using ZeroCopy.Tests.Infrastructure;

namespace ZeroCopy.Tests.Caching;

public class LoadTests
{
    private const int SegmentSize = VideoCache.MinSegmentSize;

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(SegmentSize)]
    [InlineData((3 * SegmentSize) + 17)]
    public async Task LoadFileAsyncHoldsExactlyTheFilesBytes(int fileLength)
    {
        using var timeout = TestTimeout.CreateSource();
        byte[] content = TestData.Random(fileLength, seed: fileLength);
        string path = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(path, content, timeout.Token);

            using VideoCache cache = await VideoCache.LoadFileAsync(path, SegmentSize, timeout.Token);

            Assert.Equal(fileLength, cache.Capacity);
            Assert.Equal(SegmentSize, cache.SegmentSize);
            ByteAssert.Equal(content, cache.ReadSlice(0, fileLength));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task LoadFileAsyncOfAMissingFileThrowsFileNotFoundException()
    {
        string path = Path.Combine(Path.GetTempPath(), $"zerocopy-missing-{Guid.NewGuid():N}.bin");

        await Assert.ThrowsAsync<FileNotFoundException>(async () => await VideoCache.LoadFileAsync(path));
    }

    [Fact]
    public async Task LoadFileAsyncWithANullOrEmptyPathThrows()
    {
        Assert.Equal("path", (await Assert.ThrowsAsync<ArgumentNullException>(async () => await VideoCache.LoadFileAsync(null!))).ParamName);
        Assert.Equal("path", (await Assert.ThrowsAsync<ArgumentException>(async () => await VideoCache.LoadFileAsync(string.Empty))).ParamName);
    }

    [Fact]
    public async Task LoadFileAsyncWithAnInvalidSegmentSizeThrowsAndReleasesTheFile()
    {
        string path = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(path, TestData.Pattern(100));

            await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await VideoCache.LoadFileAsync(path, segmentSize: 1000));

            // The file is closed again: it can be opened exclusively.
            using var exclusive = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task LoadAsyncFillsTheCacheFromAStreamThatReadsOneByteAtATime(bool asynchronous)
    {
        using var timeout = TestTimeout.CreateSource();
        byte[] content = TestData.Random((2 * SegmentSize) + 1, seed: 41);

        using VideoCache cache = await VideoCache.LoadAsync(new OneBytePerReadStream(content, asynchronous), content.Length, SegmentSize, timeout.Token);

        Assert.Equal(content.Length, cache.Capacity);
        ByteAssert.Equal(content, cache.ReadSlice(0, content.Length));
    }

    [Fact]
    public async Task LoadAsyncLoadsOnlyTheRequestedLengthFromALongerStream()
    {
        using var timeout = TestTimeout.CreateSource();
        byte[] content = TestData.Random(3 * SegmentSize, seed: 42);
        using var stream = new MemoryStream(content);
        stream.Position = 10;

        using VideoCache cache = await VideoCache.LoadAsync(stream, SegmentSize + 1, SegmentSize, timeout.Token);

        Assert.Equal(SegmentSize + 1, cache.Capacity);
        ByteAssert.Equal(content.AsSpan(10, SegmentSize + 1), cache.ReadSlice(0, SegmentSize + 1));
        Assert.Equal(10 + SegmentSize + 1, stream.Position);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(SegmentSize)]
    [InlineData((2 * SegmentSize) - 1)]
    public async Task LoadAsyncFromAStreamThatEndsEarlyThrowsEndOfStreamExceptionWithTheCounts(int available)
    {
        using var timeout = TestTimeout.CreateSource();
        const int Announced = 2 * SegmentSize;
        var stream = new EndsEarlyStream(TestData.Pattern(available), Announced, maxReadSize: 1000);

        EndOfStreamException e = await Assert.ThrowsAsync<EndOfStreamException>(
            async () => await VideoCache.LoadAsync(stream, stream.Length, SegmentSize, timeout.Token));

        Assert.Contains($"{available}", e.Message, StringComparison.Ordinal);
        Assert.Contains($"{Announced}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadAsyncOfZeroBytesGivesAnEmptyCache()
    {
        using VideoCache cache = await VideoCache.LoadAsync(new OneBytePerReadStream([1, 2]), 0, SegmentSize);

        Assert.Equal(0, cache.Capacity);
        Assert.Equal(0, cache.SegmentCount);
    }

    [Fact]
    public async Task LoadAsyncWithInvalidArgumentsThrowsNamingThem()
    {
        using var stream = new MemoryStream(new byte[10]);

        Assert.Equal("source", (await Assert.ThrowsAsync<ArgumentNullException>(async () => await VideoCache.LoadAsync(null!, 10))).ParamName);
        Assert.Equal("length", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await VideoCache.LoadAsync(stream, -1, SegmentSize))).ParamName);
        Assert.Equal("segmentSize", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await VideoCache.LoadAsync(stream, 10, 5000))).ParamName);
        Assert.Equal(0, stream.Position);
    }

    [Fact]
    public async Task LoadAsyncCanceledWhileTheStreamStallsThrowsOperationCanceledException()
    {
        using var timeout = TestTimeout.CreateSource();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
        var stream = new StallingStream(TestData.Pattern(SegmentSize + 1));

        ValueTask<VideoCache> load = VideoCache.LoadAsync(stream, 2 * SegmentSize, SegmentSize, cancel.Token);
        await stream.Stalled.WaitAsync(timeout.Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await load);
    }

    [Fact]
    public async Task LoadAsyncFromAThrowingStreamPropagatesTheError()
    {
        var stream = new ThrowingStream(TestData.Pattern(3 * SegmentSize), throwAfter: SegmentSize + 5);

        IOException e = await Assert.ThrowsAsync<IOException>(async () => await VideoCache.LoadAsync(stream, 3 * SegmentSize, SegmentSize));

        Assert.Equal(ThrowingStream.Message, e.Message);
    }
}
