using System.Buffers;
using ZeroCopy.Tests.Infrastructure;

namespace ZeroCopy.Tests.Caching;

/// <summary>Writes through every writable view land in the very memory that read slices of the same range view.</summary>
public class WritableViewTests
{
    private const int SegmentSize = VideoCache.MinSegmentSize;

    [Fact]
    public void WriteThroughGetMemoryIsVisibleThroughReadSliceAtSameOffset()
    {
        using var cache = TestCaches.Video(4 * SegmentSize, SegmentSize);
        Memory<byte> view = cache.GetMemory(SegmentSize + 1234, 100);
        view.Span.Fill(0x5A);

        ReadOnlySequence<byte> slice = cache.ReadSlice(SegmentSize + 1234, 100);

        Assert.True(slice.IsSingleSegment);
        AssertSameMemory(view, slice.First);
        ByteAssert.All(0x5A, slice);
    }

    [Fact]
    public void WriteThroughGetMemoryAfterTakingTheSliceChangesTheSlice()
    {
        using var cache = TestCaches.Video(4 * SegmentSize, SegmentSize);
        TestData.Fill(cache, 0);
        ReadOnlySequence<byte> slice = cache.ReadSlice(3000, 500);

        byte[] data = TestData.Pattern(500, start: 9);
        data.CopyTo(cache.GetMemory(3000, 500));

        ByteAssert.Equal(data, slice);
    }

    [Fact]
    public void WriteThroughTryGetMemoryIsVisibleThroughTryReadMemoryAndReadSlice()
    {
        using var cache = TestCaches.Video(4 * SegmentSize, SegmentSize);
        Assert.True(cache.TryGetMemory((2 * SegmentSize) + 7, 300, out Memory<byte> view));
        byte[] data = TestData.Pattern(300, start: 40);
        data.CopyTo(view);

        Assert.True(cache.TryReadMemory((2 * SegmentSize) + 7, 300, out ReadOnlyMemory<byte> readView));
        ReadOnlySequence<byte> slice = cache.ReadSlice((2 * SegmentSize) + 7, 300);

        AssertSameMemory(view, readView);
        AssertSameMemory(view, slice.First);
        ByteAssert.Equal(data, readView.Span);
        ByteAssert.Equal(data, slice);
    }

    [Fact]
    public void WriteThroughGetWritableRangesIsVisibleThroughReadSliceAcrossSegments()
    {
        using var cache = TestCaches.Video(4 * SegmentSize, SegmentSize);
        long offset = SegmentSize - 10;
        int length = (2 * SegmentSize) + 20;
        byte[] data = TestData.Pattern(length, start: 77);
        ReadOnlySequence<byte> slice = cache.ReadSlice(offset, length);

        var pieces = new List<Memory<byte>>();
        int written = 0;
        foreach (Memory<byte> piece in cache.GetWritableRanges(offset, length))
        {
            data.AsSpan(written, piece.Length).CopyTo(piece.Span);
            written += piece.Length;
            pieces.Add(piece);
        }

        Assert.Equal(length, written);
        Assert.Equal(new[] { 10, SegmentSize, SegmentSize, 10 }, pieces.Select(p => p.Length));
        int index = 0;
        foreach (ReadOnlyMemory<byte> readPiece in slice)
        {
            AssertSameMemory(pieces[index++], readPiece);
        }

        Assert.Equal(pieces.Count, index);
        ByteAssert.Equal(data, slice);
    }

    [Fact]
    public void WriteAcrossSegmentsIsVisibleThroughReadSliceTakenBefore()
    {
        using var cache = TestCaches.Video(4 * SegmentSize, SegmentSize);
        TestData.Fill(cache, 0xEE);
        long offset = (2 * SegmentSize) - 3;
        ReadOnlySequence<byte> slice = cache.ReadSlice(offset, SegmentSize + 6);

        byte[] data = TestData.Pattern(SegmentSize + 6, start: 2);
        cache.Write(offset, data);

        ByteAssert.Equal(data, slice);
        ByteAssert.All(0xEE, cache.ReadSlice(0, offset), "bytes before the write are untouched");
        ByteAssert.All(0xEE, cache.ReadSlice(offset + data.Length, cache.Capacity - offset - data.Length), "bytes after the write are untouched");
    }

    [Fact]
    public void WriteOfAnEmptySpanChangesNothing()
    {
        using var cache = TestCaches.Video(SegmentSize, SegmentSize);
        TestData.Fill(cache, 0x42);

        cache.Write(100, ReadOnlySpan<byte>.Empty);
        cache.Write(SegmentSize, ReadOnlySpan<byte>.Empty);

        ByteAssert.All(0x42, cache.ReadSlice(0, SegmentSize));
    }

    [Fact]
    public void TryGetMemoryAcrossASegmentBoundaryReturnsFalseAndEmpty()
    {
        using var cache = TestCaches.Video(2 * SegmentSize, SegmentSize);

        bool found = cache.TryGetMemory(SegmentSize - 1, 2, out Memory<byte> memory);
        bool foundReadOnly = cache.TryReadMemory(SegmentSize - 1, 2, out ReadOnlyMemory<byte> readOnly);

        Assert.False(found);
        Assert.True(memory.IsEmpty);
        Assert.False(foundReadOnly);
        Assert.True(readOnly.IsEmpty);
    }

    [Theory]
    [InlineData(0, SegmentSize)]
    [InlineData(SegmentSize - 1, 1)]
    [InlineData(SegmentSize, SegmentSize)]
    [InlineData(SegmentSize + 5, SegmentSize - 5)]
    public void TryGetMemoryUpToTheEndOfASegmentSucceeds(long offset, int length)
    {
        using var cache = TestCaches.Video(2 * SegmentSize, SegmentSize);
        byte[] data = TestData.Pattern(length, start: (int)offset);
        cache.Write(offset, data);

        Assert.True(cache.TryGetMemory(offset, length, out Memory<byte> memory));

        Assert.Equal(length, memory.Length);
        ByteAssert.Equal(data, memory.Span);
    }

    [Fact]
    public void TryGetMemoryOfZeroLengthSucceedsEvenAtTheEnd()
    {
        using var cache = TestCaches.Video(2 * SegmentSize, SegmentSize);

        Assert.True(cache.TryGetMemory(2 * SegmentSize, 0, out Memory<byte> atEnd));
        Assert.True(cache.TryGetMemory(SegmentSize, 0, out Memory<byte> atBoundary));
        Assert.True(cache.TryReadMemory(0, 0, out ReadOnlyMemory<byte> atStart));

        Assert.True(atEnd.IsEmpty);
        Assert.True(atBoundary.IsEmpty);
        Assert.True(atStart.IsEmpty);
    }

    [Fact]
    public void GetWritableRangesOfZeroLengthYieldsNothing()
    {
        using var cache = TestCaches.Video(2 * SegmentSize, SegmentSize);
        int count = 0;

        foreach (Memory<byte> piece in cache.GetWritableRanges(SegmentSize, 0))
        {
            count++;
        }

        Assert.Equal(0, count);
    }

    [Fact]
    public void GetWritableRangesCoversTheShortLastSegment()
    {
        int capacity = SegmentSize + 100;
        using var cache = TestCaches.Video(capacity, SegmentSize);
        var lengths = new List<int>();

        foreach (Memory<byte> piece in cache.GetWritableRanges(0, capacity))
        {
            lengths.Add(piece.Length);
        }

        Assert.Equal(new[] { SegmentSize, 100 }, lengths);
    }

    [Fact]
    public void DefaultWritableRangesYieldsNothing()
    {
        int count = 0;

        foreach (Memory<byte> piece in default(WritableRanges))
        {
            count++;
        }

        Assert.Equal(0, count);
    }

    private static void AssertSameMemory(ReadOnlyMemory<byte> expected, ReadOnlyMemory<byte> actual)
    {
        MemoryAssert.Same(expected, actual);
    }
}
