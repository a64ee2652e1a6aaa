using System.Buffers;
using ZeroCopy.Tests.Infrastructure;

namespace ZeroCopy.Tests.Live;

public class LiveLaggingReaderTests
{
    private const int Capacity = 64 * 1024;

    private static LiveCache NewCache(LaggingReaderPolicy policy) =>
        new(new LiveCacheOptions { Capacity = Capacity, Memory = TestCaches.LiveMemory(Capacity), SegmentSize = 4096, LaggingReaderPolicy = policy, SyncPointDetector = new LiveRecordDetector() });

    /// <summary>A cache with record 0 written and a reader at its end (position 256), the first sync point.</summary>
    private static (LiveCache Cache, LiveReader Reader, LiveRecordWriter Writer) Start(LaggingReaderPolicy policy)
    {
        LiveCache cache = NewCache(policy);
        var writer = new LiveRecordWriter(cache, recordsPerWrite: 1);
        writer.WriteBatch();
        LiveReader reader = cache.CreateReader();
        Assert.Equal(LiveRecords.Size, reader.Position);
        return (cache, reader, writer);
    }

    private static void WriteBytes(LiveRecordWriter writer, long bytes)
    {
        for (long i = 0; i < bytes / LiveRecords.Size; i++)
        {
            writer.WriteBatch();
        }
    }

    [Fact]
    public async Task StalledReaderIsMovedToTheNewestSyncPointAndToldHowManyBytesItSkipped()
    {
        var (cache, reader, writer) = Start(LaggingReaderPolicy.SkipToSyncPoint);
        using (cache)
        using (reader)
        {
            WriteBytes(writer, 3 * Capacity);
            Task<LiveReadResult> read = reader.ReadAsync().AsTask();
            WriteBytes(writer, 10 * LiveRecords.Size);
            LiveReadResult result = await read.Within();

            Assert.Equal(3 * Capacity, result.SkippedBytes);
            Assert.Equal(LiveRecords.Size + result.SkippedBytes, result.Position);
            Assert.Equal(0, LiveRecords.CountBad(result.Buffer, result.Position));
            Assert.InRange(result.Buffer.Length, LiveRecords.Size, 10 * LiveRecords.Size); // The wake may come after the first record.
            Assert.Equal(0, result.Buffer.Length % LiveRecords.Size);
            reader.AdvanceTo(result.Position + result.Buffer.Length);
            Assert.Equal(1, reader.SkipCount);
            Assert.Equal(result.SkippedBytes, reader.BytesSkipped);
            Assert.False(reader.IsLapped);
        }
    }

    [Fact]
    public async Task StalledReaderIsCutOffUnderTheDisconnectPolicy()
    {
        var (cache, reader, writer) = Start(LaggingReaderPolicy.Disconnect);
        using (cache)
        using (reader)
        {
            WriteBytes(writer, 3 * Capacity);

            var error = await Assert.ThrowsAsync<LiveReaderLappedException>(() => reader.ReadAsync().AsTask());

            Assert.True(reader.IsLapped);
            Assert.Contains(LiveRecords.Size.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
            await Assert.ThrowsAsync<LiveReaderLappedException>(() => reader.ReadAsync().AsTask());
            Assert.Throws<LiveReaderLappedException>(() => reader.AdvanceTo(reader.Position));
            Assert.Equal(0, reader.SkipCount);
        }
    }

    [Fact]
    public async Task ReaderMoreThanSevenEighthsOfTheRingBehindSkipsBeforeItsDataIsReclaimed()
    {
        var (cache, lagging, writer) = Start(LaggingReaderPolicy.SkipToSyncPoint);
        using (cache)
        using (lagging)
        {
            WriteBytes(writer, Capacity / 2);
            using LiveReader halfBehind = cache.CreateReader();
            WriteBytes(writer, Capacity / 2 - (2 * LiveRecords.Size)); // lagging: 63.5 KiB behind, nothing reclaimed yet.
            Assert.Equal(0, cache.OldestPosition);

            Task<LiveReadResult> skipping = lagging.ReadAsync().AsTask();
            LiveReadResult normal = await halfBehind.ReadAsync().Within();
            writer.WriteBatch();
            LiveReadResult skipped = await skipping.Within();

            Assert.Equal(0, normal.SkippedBytes);
            Assert.Equal(Capacity / 2 - (2 * LiveRecords.Size), normal.Buffer.Length);
            Assert.True(skipped.SkippedBytes > Capacity * 7 / 8, $"skipped {skipped.SkippedBytes}");
            Assert.Equal(0, LiveRecords.CountBad(skipped.Buffer, skipped.Position));
        }
    }

    [Fact]
    public async Task UnderTheDisconnectPolicyAReaderIsCutOffOnlyOnceItsDataIsReclaimed()
    {
        var (cache, reader, writer) = Start(LaggingReaderPolicy.Disconnect);
        using (cache)
        using (reader)
        {
            WriteBytes(writer, Capacity - (2 * LiveRecords.Size));

            LiveReadResult result = await reader.ReadAsync().Within();

            Assert.Equal(0, LiveRecords.CountBad(result.Buffer, result.Position));
            Assert.Equal(Capacity - (2 * LiveRecords.Size), result.Buffer.Length);
        }
    }

    [Theory]
    [InlineData(LaggingReaderPolicy.SkipToSyncPoint)]
    [InlineData(LaggingReaderPolicy.Disconnect)]
    public async Task ReaderHoldingABufferTheWriterReusesIsCutOffAndAdvanceToReportsIt(LaggingReaderPolicy policy)
    {
        var (cache, reader, writer) = Start(policy);
        using (cache)
        using (reader)
        {
            WriteBytes(writer, 16 * LiveRecords.Size);
            LiveReadResult held = await reader.ReadAsync().Within();
            Assert.Equal(0, LiveRecords.CountBad(held.Buffer, held.Position));

            WriteBytes(writer, 2 * Capacity); // The writer goes on; it never waits for the held buffer.

            Assert.True(reader.IsLapped);
            Assert.True(LiveRecords.CountBad(held.Buffer, held.Position) > 0, "the held region was overwritten, as the cut-off says");
            Assert.Throws<LiveReaderLappedException>(() => reader.AdvanceTo(held.Position + LiveRecords.Size));
            await Assert.ThrowsAsync<LiveReaderLappedException>(() => reader.ReadAsync().AsTask());
        }
    }

    [Fact]
    public async Task ReaderThatAdvancedBeforeTheWriterReusedItsBufferIsSkippedNotCutOff()
    {
        var (cache, reader, writer) = Start(LaggingReaderPolicy.SkipToSyncPoint);
        using (cache)
        using (reader)
        {
            WriteBytes(writer, 16 * LiveRecords.Size);
            LiveReadResult result = await reader.ReadAsync().Within();
            reader.AdvanceTo(result.Position + result.Buffer.Length);

            WriteBytes(writer, 2 * Capacity);
            Task<LiveReadResult> next = reader.ReadAsync().AsTask();
            writer.WriteBatch();
            LiveReadResult afterSkip = await next.Within();

            Assert.False(reader.IsLapped);
            Assert.True(afterSkip.SkippedBytes >= 2 * Capacity);
            Assert.Equal(0, LiveRecords.CountBad(afterSkip.Buffer, afterSkip.Position));
        }
    }

    [Theory]
    [InlineData(LaggingReaderPolicy.SkipToSyncPoint)]
    [InlineData(LaggingReaderPolicy.Disconnect)]
    public async Task SendStuckOnAViewerThatStoppedReadingIsCutOffBeforeTheRegionIsReused(LaggingReaderPolicy policy)
    {
        var (cache, reader, writer) = Start(policy);
        using (cache)
        using (reader)
        {
            using LoopbackSocketPair viewer = await LoopbackSocketPair.ConnectAsync(bufferSize: 4096);
            WriteBytes(writer, 8 * LiveRecords.Size);
            Assert.Equal(8 * LiveRecords.Size, await reader.SendToAsync(viewer.Server).Within());
            Task sending = Task.Run(async () =>
            {
                while (await reader.SendToAsync(viewer.Server) > 0)
                {
                }
            });

            // The writer goes on, lap after lap, while the viewer reads nothing; it never blocks. Bounded: 200 quarter laps.
            for (int step = 0; step < 200 && !sending.IsCompleted; step++)
            {
                WriteBytes(writer, Capacity / 4);
                await Task.Delay(5);
            }

            var error = await Assert.ThrowsAsync<LiveReaderLappedException>(() => sending.Within());
            Assert.True(reader.IsLapped);
            Assert.Equal(1, reader.ShutdownCount);

            // The cache shut the connection down: the viewer drains what the kernel accepted, then sees the end. Every
            // byte of it is the stream's, in order — none came from a reused region.
            byte[] received = await LoopbackSocketPair.ReceiveUntilClosedOrResetAsync(viewer.Client, CancellationToken.None).Within();
            LiveRecords.VerifyReceived(received, out int bad);
            Assert.True(received.Length > 0);
            Assert.Equal(0, bad);
            Assert.NotNull(error.Message);
        }
    }
}
