using ZeroCopy.Tests.Infrastructure;

namespace ZeroCopy.Tests.Caching;

/// <summary><see cref="VideoCache.WriteToAsync"/> hands the stream the cache's own memory, in bounded pieces.</summary>
public class WriteToTests
{
    private const int SegmentSize = VideoCache.MinSegmentSize;

    [Theory]
    [InlineData(0, 1)]
    [InlineData(SegmentSize - 1, 2)]
    [InlineData(SegmentSize - 5, (3 * SegmentSize) + 10)]
    [InlineData(0, (4 * SegmentSize) + 9)]
    public async Task WriteToWritesExactlyTheRangeOnePiecePerSegment(long offset, int length)
    {
        using var cache = TestCaches.Video((4 * SegmentSize) + 9, SegmentSize);
        byte[] content = TestData.Random((int)cache.Capacity, seed: 31);
        cache.Write(0, content);
        var stream = new RecordingWriteStream();

        await cache.WriteToAsync(stream, offset, length);

        ByteAssert.Equal(content.AsSpan((int)offset, length), stream.WrittenBytes);
        int segmentsTouched = (int)(((offset + length - 1) / SegmentSize) - (offset / SegmentSize) + 1);
        Assert.Equal(segmentsTouched, stream.Writes.Count);
    }

    [Fact]
    public async Task WriteToHandsTheStreamTheCachesOwnMemoryNotACopy()
    {
        using var cache = TestCaches.Video(4 * SegmentSize, SegmentSize);
        var stream = new RecordingWriteStream();
        const long Offset = SegmentSize - 100;

        await cache.WriteToAsync(stream, Offset, 200);

        Assert.Equal(2, stream.Sources.Count);
        MemoryAssert.Same(cache.GetMemory(Offset, 100), stream.Sources[0]);
        MemoryAssert.Same(cache.GetMemory(SegmentSize, 100), stream.Sources[1]);
    }

    [Fact]
    public async Task WriteToSplitsALargeSegmentIntoPiecesOfAtMostTheMaxSendSize()
    {
        const int LargeSegment = 4 * 1024 * 1024;
        using var cache = TestCaches.Video(2L * LargeSegment, LargeSegment);
        byte[] content = TestData.Random((int)cache.Capacity, seed: 32);
        cache.Write(0, content);
        var stream = new RecordingWriteStream();
        const long Offset = 1000;
        int length = (int)cache.Capacity - 2000;

        await cache.WriteToAsync(stream, Offset, length);

        ByteAssert.Equal(content.AsSpan((int)Offset, length), stream.WrittenBytes);
        Assert.All(stream.Writes, w => Assert.InRange(w.Length, 1, SocketExtensions.DefaultMaxSendSize));
        Assert.Equal(8, stream.Writes.Count); // 4 pieces per segment: 3 of 1 MiB and one of 1 MiB - 1000 bytes
    }

    [Fact]
    public async Task WriteToOfZeroBytesWritesNothing()
    {
        using var cache = TestCaches.Video(SegmentSize, SegmentSize);
        var stream = new RecordingWriteStream();

        await cache.WriteToAsync(stream, SegmentSize, 0);

        Assert.Empty(stream.Writes);
    }

    [Fact]
    public async Task WriteToWithACanceledTokenThrowsAndWritesNothing()
    {
        using var cache = TestCaches.Video(2 * SegmentSize, SegmentSize);
        var stream = new RecordingWriteStream();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            async () => await cache.WriteToAsync(stream, 0, 100, new CancellationToken(canceled: true)));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            async () => await cache.WriteToAsync(stream, 0, 2 * SegmentSize, new CancellationToken(canceled: true)));

        Assert.Empty(stream.Writes);
    }
}
