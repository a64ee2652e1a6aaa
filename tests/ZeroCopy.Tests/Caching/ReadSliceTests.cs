using System.Buffers;
using ZeroCopy.Tests.Infrastructure;

namespace ZeroCopy.Tests.Caching;

public class ReadSliceTests
{
    private const int SegmentSize = VideoCache.MinSegmentSize;

    [Fact]
    public void ReadSliceInsideOneSegmentIsOneSegmentWithTheWrittenBytes()
    {
        using var cache = TestCaches.Video(4 * SegmentSize, SegmentSize);
        byte[] data = TestData.Pattern(1000, start: 17);
        cache.Write(SegmentSize + 100, data);

        ReadOnlySequence<byte> slice = cache.ReadSlice(SegmentSize + 100, 1000);

        Assert.True(slice.IsSingleSegment);
        Assert.Equal(1000, slice.Length);
        ByteAssert.Equal(data, slice);
    }

    [Fact]
    public void ReadSliceAcrossSegmentsChainsOneMemoryPerSegmentTouched()
    {
        using var cache = TestCaches.Video(4 * SegmentSize, SegmentSize);
        byte[] data = TestData.Pattern((2 * SegmentSize) + 10);
        long offset = SegmentSize - 5;
        cache.Write(offset, data);

        ReadOnlySequence<byte> slice = cache.ReadSlice(offset, data.Length);

        Assert.False(slice.IsSingleSegment);
        List<int> pieceLengths = EnumeratePieceLengths(slice);
        Assert.Equal(new[] { 5, SegmentSize, SegmentSize, 5 }, pieceLengths);
        ByteAssert.Equal(data, slice);
    }

    [Fact]
    public void ReadSliceEndingExactlyAtASegmentBoundaryDoesNotTouchTheNextSegment()
    {
        using var cache = TestCaches.Video(3 * SegmentSize, SegmentSize);
        byte[] data = TestData.Pattern(SegmentSize + 100);
        cache.Write(SegmentSize - 100, data);

        ReadOnlySequence<byte> slice = cache.ReadSlice(SegmentSize - 100, data.Length);

        Assert.Equal(new[] { 100, SegmentSize }, EnumeratePieceLengths(slice));
        ByteAssert.Equal(data, slice);
    }

    [Fact]
    public void ReadSliceOfOneWholeSegmentIsThatSegment()
    {
        using var cache = TestCaches.Video(3 * SegmentSize, SegmentSize);
        byte[] data = TestData.Pattern(SegmentSize, start: 3);
        cache.Write(SegmentSize, data);

        ReadOnlySequence<byte> slice = cache.ReadSlice(SegmentSize, SegmentSize);

        Assert.True(slice.IsSingleSegment);
        ByteAssert.Equal(data, slice);
    }

    [Fact]
    public void ReadSliceOfTheWholeCapacityReturnsEveryByte()
    {
        int capacity = (3 * SegmentSize) + 123;
        using var cache = TestCaches.Video(capacity, SegmentSize);
        byte[] data = TestData.Random(capacity, seed: 7);
        cache.Write(0, data);

        ReadOnlySequence<byte> slice = cache.ReadSlice(0, capacity);

        Assert.Equal(new[] { SegmentSize, SegmentSize, SegmentSize, 123 }, EnumeratePieceLengths(slice));
        ByteAssert.Equal(data, slice);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(SegmentSize)]
    [InlineData(2 * SegmentSize)]
    public void ReadSliceOfZeroLengthIsEmptyAnywhereInRangeIncludingTheEnd(long offset)
    {
        using var cache = TestCaches.Video(2 * SegmentSize, SegmentSize);

        ReadOnlySequence<byte> slice = cache.ReadSlice(offset, 0);

        Assert.True(slice.IsEmpty);
        Assert.Equal(0, slice.Length);
    }

    [Fact]
    public void ReadSliceSeesWritesMadeAfterItWasTaken()
    {
        using var cache = TestCaches.Video(2 * SegmentSize, SegmentSize);
        TestData.Fill(cache, 0x11);
        ReadOnlySequence<byte> slice = cache.ReadSlice(SegmentSize - 50, 100);
        ByteAssert.All(0x11, slice);

        byte[] data = TestData.Pattern(100, start: 1);
        cache.Write(SegmentSize - 50, data);

        ByteAssert.Equal(data, slice, "a slice is a view of the cache, not a snapshot");
    }

    [Fact]
    public void ReadSliceOfTheSameRangeTwiceViewsTheSameMemory()
    {
        using var cache = TestCaches.Video(2 * SegmentSize, SegmentSize);

        ReadOnlySequence<byte> first = cache.ReadSlice(10, 20);
        ReadOnlySequence<byte> second = cache.ReadSlice(10, 20);

        MemoryAssert.Same(first.First, second.First);
        MemoryAssert.Same(cache.GetMemory(10, 20), first.First);
    }

    [Fact]
    public void ReadSliceOfTheShortLastSegmentEndsAtTheCapacity()
    {
        int capacity = (2 * SegmentSize) + 10;
        using var cache = TestCaches.Video(capacity, SegmentSize);
        byte[] data = TestData.Pattern(30, start: 5);
        cache.Write(capacity - 30, data);

        ReadOnlySequence<byte> slice = cache.ReadSlice(capacity - 30, 30);

        Assert.Equal(new[] { 20, 10 }, EnumeratePieceLengths(slice));
        ByteAssert.Equal(data, slice);
    }

    private static List<int> EnumeratePieceLengths(ReadOnlySequence<byte> slice)
    {
        var lengths = new List<int>();
        foreach (ReadOnlyMemory<byte> piece in slice)
        {
            lengths.Add(piece.Length);
        }

        return lengths;
    }
}
