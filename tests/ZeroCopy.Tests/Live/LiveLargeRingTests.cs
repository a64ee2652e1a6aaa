using System.Buffers;
using ZeroCopy.Tests.Infrastructure;

namespace ZeroCopy.Tests.Live;

[Collection(LiveTimingGroup.Name)]
public class LiveLargeRingTests
{
    [Fact]
    public async Task RingLargerThanTwoGibibytesReadsAcrossTheTwoGibibyteMarkAndTheWrapPointWithoutCopying()
    {
        const long capacity = (2L << 30) + (1 << 20); // 2 GiB + 1 MiB: the wrap point lies past the 2 GiB mark.
        const long windowStart = (2L << 30) - (4 << 20);
        const long end = capacity + (2 << 20);
        using var cache = new LiveCache(new LiveCacheOptions { Capacity = capacity, Memory = TestCaches.LiveMemory(capacity), SegmentSize = 256 << 20 });
        var ingest = new LivePatternStream(windowStart, end);

        while (cache.WritePosition < windowStart)
        {
            await cache.ReadIntoAsync(ingest, (int)Math.Min(int.MaxValue, windowStart - cache.WritePosition)).Within();
        }

        using LiveReader reader = cache.CreateReader();
        long start = reader.Position;
        while (cache.WritePosition < end)
        {
            await cache.ReadIntoAsync(ingest, (int)(end - cache.WritePosition)).Within();
        }

        LiveReadResult result = await reader.ReadAsync().Within();

        Assert.Equal(end - start, result.Buffer.Length);
        Assert.True(start < (2L << 30) && end > capacity, "the window spans the 2 GiB mark and the wrap point");
        long position = start;
        int segments = 0;
        foreach (ReadOnlyMemory<byte> segment in result.Buffer)
        {
            segments++;
            ReadOnlySpan<byte> span = segment.Span;
            for (int i = 0; i < span.Length; i++, position++)
            {
                if (span[i] != LivePatternStream.ByteAt(position))
                {
                    Assert.Fail($"byte at stream position {position} is {span[i]}, expected {LivePatternStream.ByteAt(position)}");
                }
            }
        }

        Assert.Equal(end, position);
        Assert.True(segments >= 3, $"{segments} segments");
        Assert.Equal(0, reader.SkipCount);
    }
}
