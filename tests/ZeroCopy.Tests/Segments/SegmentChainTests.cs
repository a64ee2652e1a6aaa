using System.Buffers;
using ZeroCopy.Segments;
using ZeroCopy.Tests.Infrastructure;

namespace ZeroCopy.Tests.Segments;

public class SegmentChainTests
{
    private const int SegmentSize = SegmentChain.MinSegmentSize;

    [Theory]
    [InlineData(4L * SegmentSize, 4)]
    [InlineData((3L * SegmentSize) + 100, 4)]
    [InlineData(1, 1)]
    [InlineData(0, 0)]
    public void ASingleLapHasOneSegmentPerSegmentSizeStartedAndTheLastMayBeShorter(long capacity, int segments)
    {
        using var chain = SegmentChain.SingleLap(capacity, SegmentSize, TestCaches.Memory);

        Assert.Equal(capacity, chain.Capacity);
        Assert.Equal(SegmentSize, chain.SegmentSize);
        Assert.Equal(segments, chain.SegmentCount);
        if (segments > 0)
        {
            Assert.Equal(capacity - ((segments - 1L) * SegmentSize), chain.MemoryFrom((segments - 1L) * SegmentSize).Length);
        }
    }

    [Fact]
    public void ASliceOfASingleLapHasTheBytesWrittenThroughMemoryFrom()
    {
        long capacity = (3L * SegmentSize) + 100;
        using var chain = SegmentChain.SingleLap(capacity, SegmentSize, TestCaches.Memory);
        byte[] data = TestData.Pattern((int)capacity, start: 3);
        Fill(chain, data);

        foreach ((long start, long length) in new[] { (0L, capacity), (SegmentSize - 1L, 2L), (5L, 10L), (capacity - 1, 1L), ((2L * SegmentSize) + 7, SegmentSize + 93L) })
        {
            ReadOnlySequence<byte> slice = chain.Slice(start, length);

            Assert.Equal(length, slice.Length);
            ByteAssert.Equal(data.AsSpan((int)start, (int)length), slice);
        }
    }

    [Fact]
    public void ASliceInsideOneSegmentIsOneSegmentAndAnEmptySliceIsEmpty()
    {
        using var chain = SegmentChain.SingleLap(4L * SegmentSize, SegmentSize, TestCaches.Memory);

        Assert.True(chain.Slice(SegmentSize + 10, SegmentSize - 10).IsSingleSegment);
        Assert.False(chain.Slice(SegmentSize + 10, SegmentSize - 9).IsSingleSegment);
        Assert.True(chain.Slice(4L * SegmentSize, 0).IsEmpty);
    }

    [Theory]
    [InlineData(0, 4 * SegmentSize)]
    [InlineData(3 * SegmentSize, 2 * SegmentSize)]
    [InlineData((4 * SegmentSize) - 1, 2)]
    [InlineData((2 * SegmentSize) + 5, 4 * SegmentSize)]
    public void ARingSliceThatPassesTheEndContinuesAtTheStart(long start, long length)
    {
        long capacity = 4L * SegmentSize;
        using var chain = SegmentChain.Ring(capacity, SegmentSize, TestCaches.Memory);
        byte[] data = TestData.Pattern((int)capacity, start: 11);
        Fill(chain, data);

        ReadOnlySequence<byte> slice = chain.Slice(start, length);

        byte[] expected = new byte[length];
        for (long i = 0; i < length; i++)
        {
            expected[i] = data[(start + i) % capacity];
        }

        Assert.Equal(length, slice.Length);
        ByteAssert.Equal(expected, slice);
    }

    [Fact]
    public void ARingWhoseLastSegmentIsShorterWrapsAtTheCapacityNotAtTheSegmentSize()
    {
        long capacity = (2L * SegmentSize) + 1000;
        using var chain = SegmentChain.Ring(capacity, SegmentSize, TestCaches.Memory);
        byte[] data = TestData.Pattern((int)capacity, start: 5);
        Fill(chain, data);

        ReadOnlySequence<byte> slice = chain.Slice(capacity - 10, 30);

        byte[] expected = [.. data.AsSpan((int)capacity - 10), .. data.AsSpan(0, 20)];
        ByteAssert.Equal(expected, slice);
    }

    [Fact]
    public void SlicesAndMemoryAfterDisposeThrowObjectDisposedAndDisposeTwiceIsHarmless()
    {
        var chain = SegmentChain.Ring(4L * SegmentSize, SegmentSize, TestCaches.Memory);
        chain.Dispose();
        chain.Dispose();

        Assert.Throws<ObjectDisposedException>(() => chain.Slice(0, 10));
        Assert.Throws<ObjectDisposedException>(() => chain.MemoryFrom(0));
        Assert.True(chain.Slice(0, 0).IsEmpty);
    }

    [Theory]
    [InlineData(SegmentSize - 1)]
    [InlineData(SegmentSize + 1)]
    [InlineData(int.MaxValue)]
    [InlineData(0)]
    [InlineData(-4096)]
    public void ASegmentSizeThatIsNotAPowerOfTwoInRangeIsRejectedWithTheCallersName(int segmentSize)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => SegmentChain.ThrowIfInvalid(1 << 20, segmentSize, laps: 1, "cap", "size"));

        Assert.Equal("size", error.ParamName);
        Assert.Contains(segmentSize.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void ACapacityThatNeedsMoreLinksThanAnArrayHoldsIsRejectedWithTheCallersName(int laps)
    {
        long capacity = ((long)Array.MaxLength / laps * SegmentSize) + 1;

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => SegmentChain.ThrowIfInvalid(capacity, SegmentSize, laps, "cap", "size"));

        Assert.Equal("cap", error.ParamName);
    }

    [Fact]
    public void TheLargestCapacityThatFitsIsAccepted()
    {
        SegmentChain.ThrowIfInvalid((long)Array.MaxLength * SegmentSize, SegmentSize, laps: 1, "cap", "size");
        SegmentChain.ThrowIfInvalid((long)Array.MaxLength / 2 * SegmentSize, SegmentSize, laps: 2, "cap", "size");
    }

    private static void Fill(SegmentChain chain, byte[] data)
    {
        for (long offset = 0; offset < chain.Capacity;)
        {
            Memory<byte> rest = chain.MemoryFrom(offset);
            data.AsSpan((int)offset, rest.Length).CopyTo(rest.Span);
            offset += rest.Length;
        }
    }
}
