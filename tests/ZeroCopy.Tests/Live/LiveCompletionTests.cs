using System.Buffers;
using ZeroCopy.Tests.Infrastructure;

namespace ZeroCopy.Tests.Live;

public class LiveCompletionTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static LiveCache NewCache(ISyncPointDetector? detector = null) =>
        new(new LiveCacheOptions { Capacity = 64 * 1024, Memory = TestCaches.LiveMemory(64 * 1024), SegmentSize = 4096, SyncPointDetector = detector });

    [Fact]
    public async Task ReadersDrainThePublishedBytesAndThenSeeCompletion()
    {
        using var cache = NewCache();
        using LiveReader reader = cache.CreateReader();
        cache.Write(new byte[1000]);
        cache.Complete();

        LiveReadResult last = await reader.ReadAsync().Within();
        reader.AdvanceTo(last.Position + last.Buffer.Length);
        LiveReadResult end = await reader.ReadAsync().Within();

        Assert.Equal(1000, last.Buffer.Length);
        Assert.True(last.IsCompleted);
        Assert.True(end.IsCompleted);
        Assert.True(end.Buffer.IsEmpty);
        Assert.True(cache.IsCompleted);
    }

    [Fact]
    public async Task CompletionWakesAWaitingReader()
    {
        using var cache = NewCache();
        using LiveReader reader = cache.CreateReader();
        Task<LiveReadResult> pending = reader.ReadAsync().AsTask();

        cache.Complete();
        LiveReadResult result = await pending.WaitAsync(Timeout);

        Assert.True(result.IsCompleted);
        Assert.True(result.Buffer.IsEmpty);
    }

    [Fact]
    public async Task WriterFaultReachesReadersAfterTheyDrainTheBytesBeforeIt()
    {
        using var cache = NewCache();
        using LiveReader reader = cache.CreateReader();
        var fault = new InvalidDataException("encoder went away");
        cache.Write(new byte[10]);
        cache.Complete(fault);

        LiveReadResult before = await reader.ReadAsync().Within();
        reader.AdvanceTo(before.Position + before.Buffer.Length);
        var error = await Assert.ThrowsAsync<IOException>(() => reader.ReadAsync().AsTask());

        Assert.Equal(10, before.Buffer.Length);
        Assert.False(before.IsCompleted);
        Assert.Same(fault, error.InnerException);
        Assert.Contains("encoder went away", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WriterFaultWakesAWaitingReaderWithTheError()
    {
        using var cache = NewCache();
        using LiveReader reader = cache.CreateReader();
        Task<LiveReadResult> pending = reader.ReadAsync().AsTask();

        cache.Complete(new TimeoutException("ingest stalled"));

        var error = await Assert.ThrowsAsync<IOException>(() => pending.WaitAsync(Timeout));
        Assert.IsType<TimeoutException>(error.InnerException);
    }

    [Fact]
    public async Task TrailingPartialUnitIsPublishedOnlyWhenTheStreamCompletes()
    {
        using var cache = NewCache(new LiveRecordDetector());
        byte[] data = new byte[3 * LiveRecords.Size];
        LiveRecords.Fill(data, 0);
        cache.Write(data.AsSpan(0, LiveRecords.Size)); // Record 0: a sync point at its end, where the reader starts.
        using LiveReader reader = cache.CreateReader();
        cache.Write(data.AsSpan(LiveRecords.Size, LiveRecords.Size + 44)); // Record 1 and 44 bytes of record 2.

        LiveReadResult whole = await reader.ReadAsync().Within();
        reader.AdvanceTo(whole.Position + whole.Buffer.Length);
        Assert.Equal(LiveRecords.Size, whole.Position);
        Assert.Equal(2 * LiveRecords.Size, whole.Position + whole.Buffer.Length);
        cache.Complete();
        LiveReadResult rest = await reader.ReadAsync().Within();

        Assert.Equal(2 * LiveRecords.Size, rest.Position);
        Assert.Equal(44, rest.Buffer.Length);
        Assert.True(rest.IsCompleted);
    }

    [Fact]
    public async Task ReaderCreatedAfterCompletionReadsFromTheNewestSyncPointToTheEnd()
    {
        using var cache = NewCache(new LiveRecordDetector());
        byte[] records = new byte[4 * LiveRecords.Size];
        LiveRecords.Fill(records, 0);
        cache.Write(records.AsSpan(0, 3 * LiveRecords.Size - 1));
        cache.Write(records.AsSpan(3 * LiveRecords.Size - 1));
        cache.Complete();

        using LiveReader reader = cache.CreateReader();
        LiveReadResult result = await reader.ReadAsync().Within();

        // The newest boundary the writer crossed is the end of the stream: nothing left but the completion.
        Assert.Equal(4 * LiveRecords.Size, result.Position);
        Assert.True(result.IsCompleted);
        Assert.True(result.Buffer.IsEmpty);
    }

    [Fact]
    public async Task CancellingAWaitingReadThrowsAndLeavesOtherReadersWaiting()
    {
        using var cache = NewCache();
        using LiveReader canceled = cache.CreateReader();
        using LiveReader other = cache.CreateReader();
        using var cancellation = new CancellationTokenSource();
        Task<LiveReadResult> canceledRead = canceled.ReadAsync(cancellation.Token).AsTask();
        Task<LiveReadResult> otherRead = other.ReadAsync().AsTask();

        await cancellation.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => canceledRead.WaitAsync(Timeout));
        Assert.False(otherRead.IsCompleted);
        cache.Write([42]);

        Assert.Equal(new byte[] { 42 }, (await otherRead.WaitAsync(Timeout)).Buffer.ToArray());
        Assert.Equal(new byte[] { 42 }, (await canceled.ReadAsync().AsTask().WaitAsync(Timeout)).Buffer.ToArray());
    }

    [Fact]
    public async Task ReadWithAnAlreadyCanceledTokenThrowsWithoutWaiting()
    {
        using var cache = NewCache();
        using LiveReader reader = cache.CreateReader();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reader.ReadAsync(new CancellationToken(canceled: true)).AsTask());
    }

    [Fact]
    public async Task DisposingAReaderWhileItWaitsFailsOnlyThatRead()
    {
        using var cache = NewCache();
        LiveReader disposed = cache.CreateReader();
        using LiveReader other = cache.CreateReader();
        Task<LiveReadResult> disposedRead = disposed.ReadAsync().AsTask();
        Task<LiveReadResult> otherRead = other.ReadAsync().AsTask();

        disposed.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => disposedRead.WaitAsync(Timeout));
        cache.Write([7]);

        Assert.Equal(new byte[] { 7 }, (await otherRead.WaitAsync(Timeout)).Buffer.ToArray());
        Assert.Equal(1, cache.ReaderCount);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => disposed.ReadAsync().AsTask());
        disposed.Dispose();
    }

    [Fact]
    public async Task DisposingTheCacheReleasesTheRingEvenWhileTheCacheIsStillReferenced()
    {
        // Pinned arrays, whose release the garbage collector shows; a mapped ring's release is tested by its descriptors.
        var cache = new LiveCache(new LiveCacheOptions { Capacity = 64 * 1024, SegmentSize = 4096 });
        using LiveReader reader = cache.CreateReader();
        WeakReference ring = await TrackRingAsync(cache);

        cache.Dispose();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        Assert.False(ring.IsAlive, "the ring's memory is still reachable after Dispose: the cache keeps it alive");
        await Assert.ThrowsAsync<ObjectDisposedException>(() => reader.ReadAsync().AsTask());
        GC.KeepAlive(cache);
    }

    // Not inlined, so that no reference to the ring's array outlives this frame.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static async Task<WeakReference> TrackRingAsync(LiveCache cache)
    {
        using LiveReader reader = cache.CreateReader();
        cache.Write(new byte[10_000]);
        LiveReadResult result = await reader.ReadAsync().AsTask().WaitAsync(Timeout);
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(result.Buffer.First, out ArraySegment<byte> array));
        reader.AdvanceTo(result.Position);
        return new WeakReference(array.Array);
    }

    [Fact]
    public async Task DisposingTheCacheWakesWaitingReadersWithObjectDisposedException()
    {
        var cache = NewCache();
        using LiveReader reader = cache.CreateReader();
        Task<LiveReadResult> pending = reader.ReadAsync().AsTask();

        cache.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => pending.WaitAsync(Timeout));
        Assert.Throws<ObjectDisposedException>(() => cache.Write([1]));
        Assert.Throws<ObjectDisposedException>(() => cache.CreateReader());
        cache.Dispose();
    }

    [Fact]
    public void DisposedReadersLeaveTheRegistryAndTheirSlotsAreReused()
    {
        using var cache = NewCache();
        var readers = Enumerable.Range(0, 40).Select(_ => cache.CreateReader()).ToList();
        Assert.Equal(40, cache.ReaderCount);

        readers.ForEach(r => r.Dispose());
        readers.ForEach(r => r.Dispose());
        Assert.Equal(0, cache.ReaderCount);

        using LiveReader again = cache.CreateReader();
        Assert.Equal(1, cache.ReaderCount);
    }

    [Fact]
    public async Task AdvanceToAfterTheCacheIsDisposedThrowsObjectDisposedAndKeepsThePosition()
    {
        var cache = NewCache();
        using LiveReader reader = cache.CreateReader();
        cache.Write(new byte[1000]);
        LiveReadResult result = await reader.ReadAsync().Within();
        long before = reader.Position;

        cache.Dispose();

        Assert.Throws<ObjectDisposedException>(() => reader.AdvanceTo(result.Position + 10));
        Assert.Equal(before, reader.Position);
    }
}
