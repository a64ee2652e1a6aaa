using System.Diagnostics;
using ZeroCopy.Tests.Infrastructure;

namespace ZeroCopy.Tests.Live;

/// <summary>The cache's index of recent sync points: what it lists, how long, and the lookups by time and position.</summary>
public class LiveSyncPointIndexTests
{
    private static LiveCache NewTsCache(long capacity = 64 * 1024, int indexCapacity = LiveCacheOptions.DefaultSyncPointIndexCapacity) =>
        new(new LiveCacheOptions { Capacity = capacity, SegmentSize = 4096, SyncPointDetector = new MpegTsSyncPointDetector(), SyncPointIndexCapacity = indexCapacity });

    /// <summary>Writes <paramref name="groups"/> groups of 25 frames (one second at 25 fps) and returns the builder.</summary>
    private static TransportStreamBuilder WriteSeconds(LiveCache cache, int groups, TransportStreamBuilder? ts = null)
    {
        ts ??= new TransportStreamBuilder(audio: false);
        for (int i = 0; i < groups; i++)
        {
            ts.Clear();
            ts.Gop(frames: 25);
            cache.Write(ts.Written.Span);
        }

        return ts;
    }

    [Fact]
    public void CopySyncPointsListsEveryKeyframeOldestFirstWithItsPresentationTime()
    {
        using LiveCache cache = NewTsCache(capacity: 1 << 20);
        TransportStreamBuilder ts = WriteSeconds(cache, 5);

        var found = new SyncPoint[16];
        int count = cache.CopySyncPoints(found);

        Assert.Equal(5, count);
        Assert.Equal(Enumerable.Range(0, 5).Select(i => (TimeSpan?)TimeSpan.FromSeconds(i)), found[..count].Select(s => s.PresentationTime));
        Assert.True(found[..count].Select(s => s.Position).SequenceEqual(found[..count].Select(s => s.Position).Order()));
        Assert.All(found[..count], s => Assert.Equal(0, s.Position % TransportStreamBuilder.PacketSize));
    }

    [Fact]
    public void CopySyncPointsIntoASmallDestinationGivesTheNewestOnes()
    {
        using LiveCache cache = NewTsCache(capacity: 1 << 20);
        WriteSeconds(cache, 5);

        var found = new SyncPoint[2];

        Assert.Equal(2, cache.CopySyncPoints(found));
        Assert.Equal([TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(4)], found.Select(s => s.PresentationTime));
    }

    [Fact]
    public void TheIndexListsOnlySyncPointsStillIntactInTheRing()
    {
        using LiveCache cache = NewTsCache(capacity: 256 * 1024); // about 18 groups of 25 frames (14,476 bytes each)
        WriteSeconds(cache, 40);

        var found = new SyncPoint[64];
        int count = cache.CopySyncPoints(found);

        Assert.InRange(count, 10, 19);
        Assert.All(found[..count], s => Assert.True(s.Position >= cache.OldestPosition, $"{s} is below the oldest position {cache.OldestPosition}"));
        Assert.Equal(TimeSpan.FromSeconds(39), found[count - 1].PresentationTime);
    }

    [Fact]
    public void TheIndexRemembersAtMostItsCapacity()
    {
        using LiveCache cache = NewTsCache(capacity: 1 << 20, indexCapacity: 3);
        WriteSeconds(cache, 10);

        var found = new SyncPoint[16];
        int count = cache.CopySyncPoints(found);

        Assert.Equal([TimeSpan.FromSeconds(7), TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(9)], found[..count].Select(s => s.PresentationTime));
    }

    [Theory]
    [InlineData(0.0, 0)]
    [InlineData(2.5, 2)]
    [InlineData(3.0, 3)]
    [InlineData(100.0, 9)]
    public void TheSyncPointAtOrBeforeATimeIsTheNewestKeyframeNotAfterIt(double seconds, int expectedSecond)
    {
        using LiveCache cache = NewTsCache(capacity: 1 << 20);
        WriteSeconds(cache, 10);

        Assert.True(cache.TryGetSyncPointAtOrBefore(TimeSpan.FromSeconds(seconds), out SyncPoint found));
        Assert.Equal(TimeSpan.FromSeconds(expectedSecond), found.PresentationTime);
    }

    [Fact]
    public void NoSyncPointIsAtOrBeforeATimeOlderThanTheOldestIntactOne()
    {
        using LiveCache cache = NewTsCache(capacity: 256 * 1024);
        WriteSeconds(cache, 40);

        Assert.False(cache.TryGetSyncPointAtOrBefore(TimeSpan.FromSeconds(1), out _));
    }

    [Theory]
    [InlineData(0.0, 9)]
    [InlineData(3.0, 6)]
    [InlineData(3.5, 5)]
    [InlineData(1000.0, 0)] // further back than the ring holds: the oldest intact one
    public void TheSyncPointBeforeTheHeadIsMeasuredFromTheNewestKeyframesTime(double back, int expectedSecond)
    {
        using LiveCache cache = NewTsCache(capacity: 1 << 20);
        WriteSeconds(cache, 10);

        Assert.True(cache.TryGetSyncPointBeforeHead(TimeSpan.FromSeconds(back), out SyncPoint found));
        Assert.Equal(TimeSpan.FromSeconds(expectedSecond), found.PresentationTime);
    }

    [Fact]
    public void WithoutPresentationTimesTheSyncPointBeforeTheHeadUsesTheWallClock()
    {
        using var cache = new LiveCache(new LiveCacheOptions { Capacity = 64 * 1024, SegmentSize = 4096, SyncPointDetector = new LiveRecordDetector() });
        var writer = new LiveRecordWriter(cache, recordsPerWrite: 1);
        writer.WriteBatch();

        Assert.True(cache.TryGetSyncPointBeforeHead(TimeSpan.Zero, out SyncPoint newest));
        Assert.Equal(LiveRecords.Size, newest.Position);
        Assert.Null(newest.PresentationTime);
        Assert.False(cache.TryGetSyncPointAtOrBefore(TimeSpan.MaxValue, out _));
        Assert.True(cache.TryGetSyncPointBeforeHead(TimeSpan.FromHours(1), out SyncPoint oldest)); // the oldest intact one
        Assert.Equal(LiveRecords.Size, oldest.Position);
    }

    [Fact]
    public void TheSyncPointAfterAPositionIsTheNextKeyframe()
    {
        using LiveCache cache = NewTsCache(capacity: 1 << 20);
        WriteSeconds(cache, 4);
        var all = new SyncPoint[8];
        int count = cache.CopySyncPoints(all);

        Assert.True(cache.TryGetSyncPointAfter(-1, out SyncPoint first));
        Assert.Equal(all[0].Position, first.Position);
        Assert.True(cache.TryGetSyncPointAfter(all[1].Position, out SyncPoint third));
        Assert.Equal(all[2].Position, third.Position);
        Assert.True(cache.TryGetSyncPointAfter(all[1].Position + 1, out third));
        Assert.Equal(all[2].Position, third.Position);
        Assert.False(cache.TryGetSyncPointAfter(all[count - 1].Position, out _));
    }

    [Fact]
    public async Task TheSyncPointAfterAPositionSaysHowLongAgoItWasPublished()
    {
        using LiveCache cache = NewTsCache(capacity: 1 << 20);
        long before = Stopwatch.GetTimestamp();
        TransportStreamBuilder ts = WriteSeconds(cache, 1);
        long between = Stopwatch.GetTimestamp();
        await Task.Delay(300);
        WriteSeconds(cache, 1, ts);
        long after = Stopwatch.GetTimestamp();

        // Each age lies between (the query's start - the write's end) and (the query's end - the write's start).
        long askingOlder = Stopwatch.GetTimestamp();
        Assert.True(cache.TryGetSyncPointAfter(-1, out SyncPoint older, out TimeSpan olderAge));
        Assert.InRange(olderAge, Stopwatch.GetElapsedTime(between, askingOlder), Stopwatch.GetElapsedTime(before));
        long askingNewer = Stopwatch.GetTimestamp();
        Assert.True(cache.TryGetSyncPointAfter(older.Position, out SyncPoint newer, out TimeSpan newerAge));
        TimeSpan betweenQuestions = Stopwatch.GetElapsedTime(askingOlder);
        Assert.InRange(newerAge, Stopwatch.GetElapsedTime(after, askingNewer), Stopwatch.GetElapsedTime(between));
        Assert.Equal(TimeSpan.FromSeconds(1), newer.PresentationTime);
        // The two ages are read at two instants: a pause between the questions (a busy machine) shrinks their difference
        // by at most the time between them, so that time is added back.
        Assert.True(olderAge - newerAge + betweenQuestions >= TimeSpan.FromMilliseconds(290), $"published 300 ms apart, aged {olderAge} and {newerAge}, asked {betweenQuestions} apart");

        Assert.False(cache.TryGetSyncPointAfter(newer.Position, out _, out TimeSpan none));
        Assert.Equal(TimeSpan.Zero, none);
    }

    [Fact]
    public void WithoutADetectorTheIndexIsEmpty()
    {
        using var cache = new LiveCache(new LiveCacheOptions { Capacity = 64 * 1024, SegmentSize = 4096 });
        cache.Write(new byte[1000]);

        Assert.Equal(0, cache.CopySyncPoints(new SyncPoint[4]));
        Assert.False(cache.TryGetSyncPointAfter(-1, out _));
        Assert.False(cache.TryGetSyncPointBeforeHead(TimeSpan.Zero, out _));
    }

    [Fact]
    public void AnIndexCapacityBelowOneIsRejected()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new LiveCache(new LiveCacheOptions { Capacity = 64 * 1024, SyncPointIndexCapacity = 0 }));
        Assert.Contains("SyncPointIndexCapacity", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void QueryingTheIndexAllocatesNothing()
    {
        using LiveCache cache = NewTsCache(capacity: 1 << 20);
        WriteSeconds(cache, 10);
        var found = new SyncPoint[16];

        AllocationAssert.NothingInSteadyState(
            () =>
            {
                long sum = cache.CopySyncPoints(found);
                sum += cache.TryGetSyncPointAtOrBefore(TimeSpan.FromSeconds(4), out SyncPoint a) ? a.Position : 0;
                sum += cache.TryGetSyncPointBeforeHead(TimeSpan.FromSeconds(2), out SyncPoint b) ? b.Position : 0;
                sum += cache.TryGetSyncPointAfter(0, out SyncPoint c) ? c.Position : 0;
                sum += cache.TryGetSyncPointAfter(0, out SyncPoint d, out TimeSpan age) ? d.Position + age.Ticks : 0;
                return sum;
            },
            "sync point index queries");
    }
}
