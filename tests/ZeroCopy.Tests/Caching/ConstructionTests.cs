using System.Buffers;
using System.Globalization;
using System.Net.Sockets;
using ZeroCopy.Tests.Infrastructure;

namespace ZeroCopy.Tests.Caching;

public class ConstructionTests
{
    [Theory]
    [InlineData(VideoCache.MinSegmentSize)]
    [InlineData(2 * VideoCache.MinSegmentSize)]
    [InlineData(1024 * 1024)]
    [InlineData(VideoCache.DefaultSegmentSize)]
    [InlineData(VideoCache.MaxSegmentSize)]
    public void EveryPowerOfTwoSegmentSizeInRangeIsAccepted(int segmentSize)
    {
        // A small capacity: only the bytes needed are allocated, whatever the segment size.
        using var cache = new VideoCache(10_000, segmentSize);

        Assert.Equal(segmentSize, cache.SegmentSize);
        Assert.Equal((10_000 + segmentSize - 1) / segmentSize, cache.SegmentCount);
        Assert.Equal(10_000, cache.Capacity);
        byte[] data = TestData.Pattern(10_000);
        cache.Write(0, data);
        ByteAssert.Equal(data, cache.ReadSlice(0, 10_000));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(-1)]
    [InlineData(-VideoCache.MinSegmentSize)]
    [InlineData(VideoCache.MinSegmentSize / 2)]
    [InlineData(VideoCache.MinSegmentSize - 1)]
    [InlineData(VideoCache.MinSegmentSize + 1)]
    [InlineData(3 * VideoCache.MinSegmentSize)]
    [InlineData(1_000_000)]
    [InlineData(VideoCache.MaxSegmentSize - 1)]
    [InlineData(VideoCache.MaxSegmentSize + 1)]
    [InlineData(int.MaxValue)]
    [InlineData(int.MinValue)]
    public void InvalidSegmentSizeThrowsNamingTheSegmentSize(int segmentSize)
    {
        ArgumentOutOfRangeException e = Assert.Throws<ArgumentOutOfRangeException>(() => new VideoCache(VideoCache.MinSegmentSize, segmentSize));

        Assert.Equal("segmentSize", e.ParamName);
        Assert.Equal(segmentSize, Convert.ToInt64(e.ActualValue, CultureInfo.InvariantCulture));
        Assert.Contains($"{segmentSize}", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(long.MaxValue, VideoCache.MinSegmentSize)]
    [InlineData(long.MaxValue, VideoCache.MaxSegmentSize)]
    [InlineData((long)VideoCache.MinSegmentSize * (0x7FFFFFC7L + 1), VideoCache.MinSegmentSize)]
    public void CapacityNeedingMoreSegmentsThanAnArrayHoldsThrowsNamingTheCapacity(long capacity, int segmentSize)
    {
        ArgumentOutOfRangeException e = Assert.Throws<ArgumentOutOfRangeException>(() => new VideoCache(capacity, segmentSize));

        Assert.Equal("capacity", e.ParamName);
        Assert.Contains("larger segments", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(long.MinValue)]
    public void NegativeCapacityThrowsNamingTheCapacity(long capacity)
    {
        ArgumentOutOfRangeException e = Assert.Throws<ArgumentOutOfRangeException>(() => new VideoCache(capacity, VideoCache.MinSegmentSize));

        Assert.Equal("capacity", e.ParamName);
        Assert.Equal(capacity, Convert.ToInt64(e.ActualValue, CultureInfo.InvariantCulture));
        Assert.Contains($"{capacity}", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(VideoCache.MinSegmentSize - 1, 1)]
    [InlineData(VideoCache.MinSegmentSize, 1)]
    [InlineData(VideoCache.MinSegmentSize + 1, 2)]
    [InlineData((5 * VideoCache.MinSegmentSize) - 1, 5)]
    [InlineData(5 * VideoCache.MinSegmentSize, 5)]
    public void SegmentCountIsTheCapacityRoundedUpToWholeSegments(long capacity, int expectedSegments)
    {
        using var cache = new VideoCache(capacity, VideoCache.MinSegmentSize);

        Assert.Equal(expectedSegments, cache.SegmentCount);
        Assert.Equal(capacity, cache.Capacity);
        Assert.False(cache.IsDisposed);
    }

    [Fact]
    public void ShortLastSegmentHoldsExactlyTheRemainingBytes()
    {
        const int SegmentSize = VideoCache.MinSegmentSize;
        const int Capacity = (3 * SegmentSize) + 1;
        using var cache = new VideoCache(Capacity, SegmentSize);
        byte[] data = TestData.Random(Capacity, seed: 11);

        cache.Write(0, data);

        Assert.True(cache.TryGetMemory(3 * SegmentSize, 1, out Memory<byte> last));
        Assert.Equal(data[^1], last.Span[0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => cache.TryGetMemory(3 * SegmentSize, 2, out _));
        ByteAssert.Equal(data, cache.ReadSlice(0, Capacity));
    }

    [Fact]
    public void ZeroCapacityCacheHasNoSegmentsAndServesEmptyRanges()
    {
        using var cache = new VideoCache(0, VideoCache.MinSegmentSize);

        Assert.Equal(0, cache.Capacity);
        Assert.Equal(0, cache.SegmentCount);
        Assert.True(cache.ReadSlice(0, 0).IsEmpty);
        Assert.True(cache.TryGetMemory(0, 0, out Memory<byte> memory));
        Assert.True(memory.IsEmpty);
        Assert.True(cache.TryReadMemory(0, 0, out ReadOnlyMemory<byte> readOnly));
        Assert.True(readOnly.IsEmpty);
        Assert.True(cache.GetMemory(0, 0).IsEmpty);
        foreach (Memory<byte> piece in cache.GetWritableRanges(0, 0))
        {
            Assert.Fail($"A zero-capacity cache yielded a piece of {piece.Length} bytes.");
        }

        cache.Write(0, ReadOnlySpan<byte>.Empty);
        using Stream stream = cache.OpenReadStream(0, 0);
        Assert.Equal(-1, stream.ReadByte());
        Assert.Throws<ArgumentOutOfRangeException>(() => cache.ReadSlice(0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => cache.Write(0, new byte[1]));
    }

    [Fact]
    public async Task ZeroCapacityCacheTransfersZeroBytes()
    {
        using var timeout = TestTimeout.CreateSource();
        using var cache = new VideoCache(0, VideoCache.MinSegmentSize);
        using LoopbackSocketPair pair = await LoopbackSocketPair.ConnectAsync(timeout.Token);
        var written = new RecordingWriteStream();

        Assert.Equal(0, await cache.ReceiveIntoAsync(pair.Server, 0, 0, timeout.Token));
        Assert.Equal(0, await cache.ReadIntoAsync(new OneBytePerReadStream([1, 2, 3]), 0, 0, timeout.Token));
        await cache.SendToAsync(pair.Client, 0, 0, timeout.Token);
        await cache.WriteToAsync(written, 0, 0, timeout.Token);

        pair.Client.Shutdown(SocketShutdown.Send);
        Assert.Empty(await LoopbackSocketPair.ReceiveToEndAsync(pair.Server, timeout.Token));
        Assert.Empty(written.WrittenBytes);
    }

    [Fact]
    public void DefaultSegmentSizeIsUsedWhenNoneIsGiven()
    {
        using var cache = new VideoCache(1000);

        Assert.Equal(VideoCache.DefaultSegmentSize, cache.SegmentSize);
        Assert.Equal(1, cache.SegmentCount);
        ReadOnlySequence<byte> slice = cache.ReadSlice(0, 1000);
        Assert.True(slice.IsSingleSegment);
    }
}
