using System.Buffers;
using ZeroCopy.Tests.Infrastructure;

namespace ZeroCopy.Tests.Live;

/// <summary>Random access by position: ranges sent from the ring, readers started at a chosen sync point, waits for a position.</summary>
public class LiveRandomAccessTests
{
    private const int Capacity = 64 * 1024;

    private static LiveCache NewRecordCache(LaggingReaderPolicy policy = LaggingReaderPolicy.SkipToSyncPoint) =>
        new(new LiveCacheOptions { Capacity = Capacity, SegmentSize = 4096, LaggingReaderPolicy = policy, SyncPointDetector = new LiveRecordDetector() });

    private static LiveRecordWriter WriteRecords(LiveCache cache, int records)
    {
        var writer = new LiveRecordWriter(cache, recordsPerWrite: 1);
        for (int i = 0; i < records; i++)
        {
            writer.WriteBatch();
        }

        return writer;
    }

    private static byte[] Records(long first, int count)
    {
        byte[] expected = new byte[count * LiveRecords.Size];
        LiveRecords.Fill(expected, first);
        return expected;
    }

    [Fact]
    public async Task SendRangeSendsExactlyThatRangeStraightFromTheRing()
    {
        using LiveCache cache = NewRecordCache();
        WriteRecords(cache, 200); // past the wrap point: the ring holds records 32 to 199 or so
        using LoopbackSocketPair viewer = await LoopbackSocketPair.ConnectAsync();
        long position = 150L * LiveRecords.Size;

        Assert.True(await cache.SendRangeAsync(viewer.Server, position, 40L * LiveRecords.Size).Within());
        viewer.Server.Shutdown(System.Net.Sockets.SocketShutdown.Send);

        Assert.Equal(Records(150, 40), await LoopbackSocketPair.ReceiveToEndAsync(viewer.Client, CancellationToken.None).Within());
        Assert.Equal(0, cache.ReaderCount);
    }

    [Fact]
    public async Task SendRangeTakesALightLeaseThatIsReusedAndAllocatesNothingInSteadyState()
    {
        using LiveCache cache = NewRecordCache();
        WriteRecords(cache, 200);
        using LoopbackSocketPair viewer = await LoopbackSocketPair.ConnectAsync();
        long position = 150L * LiveRecords.Size;
        const int Length = 10 * LiveRecords.Size; // far less than the socket buffers: each send completes at once
        byte[] received = new byte[Length];

        // Each round sends one range (measured on this thread, where it completes) and then drains it (not measured).
        var allocated = new List<long>();
        for (int round = 0; round < 6 && (round < 2 || allocated[^1] != 0); round++)
        {
            allocated.Add(SendRangeThatCompletesAtOnce(cache, viewer.Server, position, Length));
            Assert.Equal(0, cache.ReaderCount); // a lease, not a registered reader
            Assert.Equal(Length, await viewer.Client.ReceiveFullyAsync(received));
            Assert.Equal(Records(150, 10), received);
        }

        Assert.True(allocated[^1] == 0, $"allocated per range: [{string.Join(", ", allocated)}] bytes");
    }

    /// <summary>Sends a range that must complete without waiting; returns what this thread allocated for it.</summary>
    private static long SendRangeThatCompletesAtOnce(LiveCache cache, System.Net.Sockets.Socket socket, long position, int length)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        ValueTask<bool> send = cache.SendRangeAsync(socket, position, length);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(send.IsCompletedSuccessfully, "a range that fits the socket is sent without waiting");
        Assert.True(send.IsCompletedSuccessfully && send.Result, "the range was intact");
        return allocated;
    }

    [Fact]
    public async Task SendRangeOfAReclaimedRangeSendsNothingAndSaysSo()
    {
        using LiveCache cache = NewRecordCache();
        WriteRecords(cache, 1000);
        using LoopbackSocketPair viewer = await LoopbackSocketPair.ConnectAsync();

        Assert.False(await cache.SendRangeAsync(viewer.Server, 0, 10L * LiveRecords.Size).Within());
        viewer.Server.Shutdown(System.Net.Sockets.SocketShutdown.Send);

        Assert.Empty(await LoopbackSocketPair.ReceiveToEndAsync(viewer.Client, CancellationToken.None).Within());
    }

    [Theory]
    [InlineData(-1, 10)]
    [InlineData(0, -1)]
    [InlineData(2560, 1)] // one byte past the readable end
    [InlineData(0, Capacity + 1)]
    public async Task SendRangeOfBytesNotPublishedThrowsWithTheValues(long position, long length)
    {
        using LiveCache cache = NewRecordCache();
        WriteRecords(cache, 10);
        using LoopbackSocketPair viewer = await LoopbackSocketPair.ConnectAsync();

        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await cache.SendRangeAsync(viewer.Server, position, length));
        Assert.Contains($"position {position}, length {length}", error.Message, StringComparison.Ordinal);
        Assert.Contains("readable end 2560", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARangeReclaimedWhileItIsSentIsCutOffAndTheViewerNeverGetsATornByte()
    {
        using LiveCache cache = NewRecordCache();
        LiveRecordWriter writer = WriteRecords(cache, 200);
        using LoopbackSocketPair viewer = await LoopbackSocketPair.ConnectAsync(bufferSize: 4096);
        long first = cache.OldestPosition / LiveRecords.Size;

        // The viewer reads nothing, so the send of 100 records sticks; the writer goes on and must reclaim them.
        Task<bool> sending = cache.SendRangeAsync(viewer.Server, first * LiveRecords.Size, 100L * LiveRecords.Size).AsTask();
        for (int step = 0; step < 200 && !sending.IsCompleted; step++)
        {
            for (int i = 0; i < Capacity / 4 / LiveRecords.Size; i++)
            {
                writer.WriteBatch();
            }

            await Task.Delay(5);
        }

        await Assert.ThrowsAsync<LiveReaderLappedException>(() => sending.Within());
        byte[] received = await LoopbackSocketPair.ReceiveUntilClosedOrResetAsync(viewer.Client, CancellationToken.None).Within();
        LiveRecords.VerifyReceived(received, out int bad);
        Assert.Equal(0, bad);
        Assert.True(received.Length < 100 * LiveRecords.Size, $"received {received.Length} bytes");
        Assert.Equal(0, cache.ReaderCount);
    }

    [Fact]
    public async Task AReaderCreatedAtASyncPointGetsItsPreambleThenTheStreamFromThere()
    {
        using var cache = new LiveCache(new LiveCacheOptions { Capacity = Capacity, SegmentSize = 4096 });
        byte[] data = new byte[1000];
        new Random(3).NextBytes(data);
        cache.Write(data);
        byte[] preamble = [1, 2, 3];

        using LiveReader reader = cache.CreateReader(new SyncPoint(400, preamble));
        LiveReadResult first = await reader.ReadAsync().Within();
        Assert.Equal(preamble, first.Buffer.ToArray());
        reader.AdvanceTo(first.Position + first.Buffer.Length);
        LiveReadResult second = await reader.ReadAsync().Within();

        Assert.Equal(400, second.Position);
        Assert.Equal(data[400..], second.Buffer.ToArray());
    }

    [Fact]
    public async Task AReaderCreatedAtAReclaimedPositionSkipsToTheNewestSyncPointAndSaysHowFar()
    {
        using LiveCache cache = NewRecordCache();
        LiveRecordWriter writer = WriteRecords(cache, 1000);
        using LiveReader reader = cache.CreateReader(new SyncPoint(0));

        // Every record boundary is a sync point here, so the newest is the end: the read skips there and waits.
        Task<LiveReadResult> reading = reader.ReadAsync().AsTask();
        writer.WriteBatch(); // record 1000
        LiveReadResult result = await reading.Within();

        Assert.Equal(1000L * LiveRecords.Size, result.Position);
        Assert.Equal(1000L * LiveRecords.Size, result.SkippedBytes);
        Assert.Equal(Records(1000, 1), result.Buffer.ToArray());
    }

    [Theory]
    [InlineData(100)]   // not a multiple of the unit
    [InlineData(256)]   // shorter than its preamble
    public void AReaderCannotStartOffAUnitOrBeforeItsPreamble(long position)
    {
        using LiveCache cache = NewRecordCache();
        WriteRecords(cache, 4);

        var error = Assert.Throws<ArgumentException>(() => cache.CreateReader(new SyncPoint(position, new byte[position == 256 ? 512 : 0])));
        Assert.Contains($"position {position}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WaitForPublishedCompletesWhenThePositionIsPublishedAndNotBefore()
    {
        using LiveCache cache = NewRecordCache();
        WriteRecords(cache, 2);
        Task<long> waiting = cache.WaitForPublishedAsync(4L * LiveRecords.Size).AsTask();
        var writer = new LiveRecordWriter(cache, recordsPerWrite: 1);

        writer.WriteBatch(); // 3 records: not yet
        await Task.Delay(50);
        Assert.False(waiting.IsCompleted);
        writer.WriteBatch(); // 4 records

        Assert.Equal(4L * LiveRecords.Size, await waiting.Within());
    }

    [Fact]
    public async Task WaitForPublishedEndsWithTheFinalEndWhenTheStreamCompletesFirst()
    {
        using LiveCache cache = NewRecordCache();
        WriteRecords(cache, 2);
        Task<long> waiting = cache.WaitForPublishedAsync(1 << 20).AsTask();

        cache.Complete();

        Assert.Equal(2L * LiveRecords.Size, await waiting.Within());
    }

    [Fact]
    public async Task WaitForPublishedIsCanceledByItsTokenAndFailsWhenTheCacheIsDisposed()
    {
        var cache = NewRecordCache();
        using var cancel = new CancellationTokenSource();
        Task<long> canceled = cache.WaitForPublishedAsync(100, cancel.Token).AsTask();
        Task<long> disposed = cache.WaitForPublishedAsync(100).AsTask();

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => canceled.Within());
        Assert.False(disposed.IsCompleted);
        cache.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => disposed.Within());
    }

    [Fact]
    public async Task ManyWaitersForDifferentPositionsEachWakeWhenTheirsIsPublished()
    {
        using var cache = new LiveCache(new LiveCacheOptions { Capacity = Capacity, SegmentSize = 4096 });
        Task<long>[] waiting = [.. Enumerable.Range(1, 100).Select(i => cache.WaitForPublishedAsync(i * 10).AsTask())];

        for (int written = 0; written < 1000; written += 7)
        {
            cache.Write(new byte[7]);
        }

        long[] ends = await Task.WhenAll(waiting).Within();
        Assert.All(ends.Select((end, i) => (end, i)), e => Assert.True(e.end >= (e.i + 1) * 10, $"waiter {e.i} woke at {e.end}"));
    }

    [Fact]
    public void WaitForAPublishedPositionCompletesAtOnceWithoutAllocating()
    {
        using LiveCache cache = NewRecordCache();
        WriteRecords(cache, 4);

        AllocationAssert.NothingInSteadyState(
            () =>
            {
                ValueTask<long> wait = cache.WaitForPublishedAsync(LiveRecords.Size);
                Assert.True(wait.IsCompletedSuccessfully);
                return wait.Result;
            },
            "WaitForPublishedAsync of a published position");
    }
}
