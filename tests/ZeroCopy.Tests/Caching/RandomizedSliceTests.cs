using System.Buffers;
using ZeroCopy.Tests.Infrastructure;

namespace ZeroCopy.Tests.Caching;

/// <summary>
/// Random ranges, biased towards segment boundaries, read and written through every API and compared byte for byte
/// with a reference array. The seed is in every failure message: rerun the case with it.
/// </summary>
public class RandomizedSliceTests
{
    private const int SegmentSize = VideoCache.MinSegmentSize;
    private const int Rounds = 2000;

    public static TheoryData<int, long> Configurations => new()
    {
        { 1, 8L * SegmentSize },                // a whole number of segments
        { 2, (8L * SegmentSize) + 1 },          // a last segment of one byte
        { 3, (5L * SegmentSize) + 1234 },       // a short last segment
        { 4, SegmentSize - 1 },                 // a single, short segment
        { 20250101, 16L * SegmentSize },
        { 987654321, (16L * SegmentSize) - 1 },
    };

    [Theory]
    [MemberData(nameof(Configurations))]
    public void RandomReadSlicesMatchTheReferenceByteForByte(int seed, long capacity)
    {
        (VideoCache cache, byte[] reference) = CreateFilled(seed, capacity);
        using (cache)
        {
            var random = new Random(seed);
            for (int round = 0; round < Rounds; round++)
            {
                (long offset, long length) = NextRange(random, capacity);
                string context = $"seed {seed}, capacity {capacity}, round {round}, offset {offset}, length {length}";

                ReadOnlySequence<byte> slice = cache.ReadSlice(offset, length);

                Assert.True(slice.Length == length, $"slice length {slice.Length}; {context}");
                ByteAssert.Equal(reference.AsSpan((int)offset, (int)length), slice, context);
                int segmentsTouched = length == 0 ? 0 : (int)(((offset + length - 1) / SegmentSize) - (offset / SegmentSize) + 1);
                Assert.True(slice.IsSingleSegment == (segmentsTouched <= 1), $"IsSingleSegment {slice.IsSingleSegment}, {segmentsTouched} segments touched; {context}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void RandomTryReadMemoryMatchesTheReferenceOrReportsACrossing(int seed, long capacity)
    {
        (VideoCache cache, byte[] reference) = CreateFilled(seed, capacity);
        using (cache)
        {
            var random = new Random(seed);
            for (int round = 0; round < Rounds; round++)
            {
                (long offset, long length) = NextRange(random, capacity);
                string context = $"seed {seed}, capacity {capacity}, round {round}, offset {offset}, length {length}";
                bool insideOneSegment = length == 0 || (offset / SegmentSize) == ((offset + length - 1) / SegmentSize);

                bool found = cache.TryReadMemory(offset, (int)length, out ReadOnlyMemory<byte> memory);

                Assert.True(found == insideOneSegment, $"TryReadMemory returned {found}; {context}");
                if (found)
                {
                    ByteAssert.Equal(reference.AsSpan((int)offset, (int)length), memory.Span, context);
                }
                else
                {
                    Assert.True(memory.IsEmpty, $"a failed TryReadMemory returned {memory.Length} bytes; {context}");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void RandomWritesThroughEveryWriterLandExactlyWhereTheReferenceSays(int seed, long capacity)
    {
        (VideoCache cache, byte[] reference) = CreateFilled(seed, capacity);
        using (cache)
        {
            var random = new Random(seed);
            for (int round = 0; round < Rounds; round++)
            {
                (long offset, long length) = NextRange(random, capacity);
                string context = $"seed {seed}, capacity {capacity}, round {round}, offset {offset}, length {length}";
                byte[] data = new byte[length];
                random.NextBytes(data);

                switch (round % 3)
                {
                    case 0:
                        cache.Write(offset, data);
                        break;
                    case 1:
                        int written = 0;
                        foreach (Memory<byte> piece in cache.GetWritableRanges(offset, length))
                        {
                            data.AsSpan(written, piece.Length).CopyTo(piece.Span);
                            written += piece.Length;
                        }

                        Assert.True(written == length, $"the pieces cover {written} bytes; {context}");
                        break;
                    default:
                        if (cache.TryGetMemory(offset, (int)length, out Memory<byte> view))
                        {
                            data.CopyTo(view);
                        }
                        else
                        {
                            cache.Write(offset, data);
                        }

                        break;
                }

                data.CopyTo(reference, offset);

                // The whole cache, not just the range: a write must not spill outside it.
                ByteAssert.Equal(reference, cache.ReadSlice(0, capacity), context);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void EverySegmentBoundaryRangeMatchesTheReference(int seed, long capacity)
    {
        (VideoCache cache, byte[] reference) = CreateFilled(seed, capacity);
        using (cache)
        {
            // Every range starting and ending at a boundary, the capacity, or one byte either side of them.
            var points = new SortedSet<long>();
            for (long boundary = 0; boundary <= capacity + SegmentSize; boundary += SegmentSize)
            {
                foreach (long point in new[] { boundary - 1, boundary, boundary + 1, capacity - 1, capacity })
                {
                    if (point >= 0 && point <= capacity)
                    {
                        points.Add(point);
                    }
                }
            }

            foreach (long start in points)
            {
                foreach (long end in points.GetViewBetween(start, capacity))
                {
                    string context = $"seed {seed}, capacity {capacity}, offset {start}, length {end - start}";
                    ByteAssert.Equal(reference.AsSpan((int)start, (int)(end - start)), cache.ReadSlice(start, end - start), context);
                }
            }
        }
    }

    private static (VideoCache Cache, byte[] Reference) CreateFilled(int seed, long capacity)
    {
        byte[] reference = TestData.Random((int)capacity, seed);
        var cache = TestCaches.Video(capacity, SegmentSize);
        cache.Write(0, reference);
        return (cache, reference);
    }

    /// <summary>A random range, one time in two snapped to an interesting place: a boundary, the end, empty, everything.</summary>
    private static (long Offset, long Length) NextRange(Random random, long capacity)
    {
        long boundaries = (capacity / SegmentSize) + 1;
        switch (random.Next(8))
        {
            case 0: // start exactly at a segment boundary
            {
                long offset = Math.Min(random.NextInt64(boundaries) * SegmentSize, capacity);
                return (offset, random.NextInt64(capacity - offset + 1));
            }

            case 1: // end exactly at a segment boundary (or the capacity)
            {
                long end = Math.Min(random.NextInt64(boundaries) * SegmentSize, capacity);
                long offset = random.NextInt64(end + 1);
                return (offset, end - offset);
            }

            case 2: // from one boundary to another
            {
                long a = Math.Min(random.NextInt64(boundaries) * SegmentSize, capacity);
                long b = Math.Min(random.NextInt64(boundaries) * SegmentSize, capacity);
                return (Math.Min(a, b), Math.Abs(a - b));
            }

            case 3: // zero length anywhere, including the very end
                return (random.NextInt64(capacity + 1), 0);

            case 4: // the full capacity, or all but a byte at either end
                return random.Next(3) switch
                {
                    0 => (0, capacity),
                    1 => (1, capacity - 1),
                    _ => (0, capacity - 1),
                };

            default: // anywhere, any length
            {
                long offset = random.NextInt64(capacity + 1);
                return (offset, random.NextInt64(capacity - offset + 1));
            }
        }
    }
}
