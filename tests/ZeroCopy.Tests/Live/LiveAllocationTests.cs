using ZeroCopy.Tests.Infrastructure;

namespace ZeroCopy.Tests.Live;

[Collection(LiveTimingGroup.Name)]
public class LiveAllocationTests
{
    // Without a detector: a detector's sync points cost one small object each (for MPEG-TS, one per keyframe).
    [Fact]
    public void WritingReadingAndAdvancingAllocateNothingOnceWarm()
    {
        using var cache = new LiveCache(new LiveCacheOptions { Capacity = 256 * 1024, Memory = TestCaches.LiveMemory(256 * 1024), SegmentSize = 16 * 1024 });
        byte[] records = new byte[16 * LiveRecords.Size];
        LiveRecords.Fill(records, 0);
        cache.Write(records);
        using LiveReader reader = cache.CreateReader();

        void Round()
        {
            cache.Write(records); // Many laps of the ring: reclaiming and the lease checks run too.
            ValueTask<LiveReadResult> read = reader.ReadAsync();
            Assert.True(read.IsCompletedSuccessfully);
            LiveReadResult result = read.Result;
            reader.AdvanceTo(result.Position + result.Buffer.Length);
        }

        for (int i = 0; i < 1000; i++)
        {
            Round();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++)
        {
            Round();
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated == 0, $"{allocated} bytes allocated over 10,000 write-read-advance rounds");
        Assert.Equal(0, reader.SkipCount);
    }
}
