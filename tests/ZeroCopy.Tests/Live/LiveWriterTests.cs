using System.Buffers;
using System.Net.Sockets;
using ZeroCopy.Tests.Infrastructure;

namespace ZeroCopy.Tests.Live;

public class LiveWriterTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static LiveCache NewCache(long capacity = 64 * 1024, int segmentSize = 4096) =>
        new(new LiveCacheOptions { Capacity = capacity, Memory = TestCaches.LiveMemory(capacity), SegmentSize = segmentSize });

    [Fact]
    public async Task ReceiveIntoPublishesWhatArrivesOnALoopbackSocket()
    {
        using var cache = NewCache();
        using LiveReader reader = cache.CreateReader();
        using LoopbackSocketPair pair = await LoopbackSocketPair.ConnectAsync();
        byte[] data = new byte[3000];
        new Random(1).NextBytes(data);
        await pair.Client.SendAsync(data, SocketFlags.None);

        long total = 0;
        while (total < data.Length)
        {
            total += await cache.ReceiveIntoAsync(pair.Server, 64 * 1024).AsTask().WaitAsync(Timeout);
        }

        LiveReadResult result = await reader.ReadAsync().Within();
        Assert.Equal(data, result.Buffer.ToArray());
        Assert.Equal(3000, cache.WritePosition);
    }

    [Fact]
    public async Task ReceiveIntoReturnsZeroWhenThePeerClosesAndPublishesNothing()
    {
        using var cache = NewCache();
        using LoopbackSocketPair pair = await LoopbackSocketPair.ConnectAsync();
        pair.Client.Shutdown(SocketShutdown.Send);

        int received = await cache.ReceiveIntoAsync(pair.Server, 1024).AsTask().WaitAsync(Timeout);

        Assert.Equal(0, received);
        Assert.Equal(0, cache.WritePosition);
        cache.Complete();
    }

    [Fact]
    public async Task ReceiveIntoNeverCrossesTheWrapPoint()
    {
        using var cache = NewCache(capacity: 8192, segmentSize: 8192);
        cache.Write(new byte[8000]);
        using LoopbackSocketPair pair = await LoopbackSocketPair.ConnectAsync();
        await pair.Client.SendAsync(new byte[4096], SocketFlags.None);

        int first = await cache.ReceiveIntoAsync(pair.Server, 4096).AsTask().WaitAsync(Timeout);

        Assert.Equal(192, first);
        Assert.Equal(8192, cache.WritePosition);
    }

    [Fact]
    public async Task ReadIntoPublishesWhatTheStreamReturnsUpToTheStreamsEnd()
    {
        using var cache = NewCache();
        using LiveReader reader = cache.CreateReader();
        byte[] data = new byte[20_000];
        new Random(2).NextBytes(data);
        using var stream = new MemoryStream(data);

        int read;
        while ((read = await cache.ReadIntoAsync(stream, 7000).Within()) > 0)
        {
            Assert.True(read <= 7000);
        }

        cache.Complete();
        LiveReadResult result = await reader.ReadAsync().Within();
        Assert.Equal(data, result.Buffer.ToArray());
        Assert.True(result.IsCompleted);
    }

    [Fact]
    public async Task AnyWriterCallDuringAPendingReceiveThrowsInvalidOperationException()
    {
        using var cache = NewCache();
        using LoopbackSocketPair pair = await LoopbackSocketPair.ConnectAsync();
        Task<int> pending = cache.ReceiveIntoAsync(pair.Server, 1024).AsTask();

        Assert.Throws<InvalidOperationException>(() => cache.Write([1]));
        await Assert.ThrowsAsync<InvalidOperationException>(() => cache.ReceiveIntoAsync(pair.Server, 1024).AsTask());
        await Assert.ThrowsAsync<InvalidOperationException>(() => cache.ReadIntoAsync(new MemoryStream([1]), 1024).AsTask());
        Assert.Throws<InvalidOperationException>(() => cache.Complete());

        await pair.Client.SendAsync(new byte[] { 5 }, SocketFlags.None);
        Assert.Equal(1, await pending.WaitAsync(Timeout));
        cache.Write([6]);
        Assert.Equal(2, cache.WritePosition);
    }

    [Fact]
    public async Task WritesFromTwoThreadsAtOnceAreDetectedAndNeverInterleaveSilently()
    {
        using var cache = NewCache(capacity: 1024 * 1024, segmentSize: 64 * 1024);
        byte[] chunk = new byte[64 * 1024];
        int detected = 0;
        using var start = new Barrier(2);

        void WriteMany()
        {
            start.SignalAndWait();
            for (int i = 0; i < 2000; i++)
            {
                try
                {
                    cache.Write(chunk);
                }
                catch (InvalidOperationException)
                {
                    Interlocked.Increment(ref detected);
                }
            }
        }

        await Task.WhenAll(Task.Run(WriteMany), Task.Run(WriteMany)).WaitAsync(TimeSpan.FromSeconds(30));

        // Every write either happened whole or was refused: the head counts whole chunks only.
        Assert.Equal(0, cache.WritePosition % chunk.Length);
        Assert.Equal(4000 - detected, cache.WritePosition / chunk.Length);
    }

    [Fact]
    public void WritingAfterCompleteThrowsAndCompletingAgainDoesNothing()
    {
        using var cache = NewCache();
        cache.Write([1, 2, 3]);
        cache.Complete();
        cache.Complete(new InvalidOperationException("ignored"));

        var error = Assert.Throws<InvalidOperationException>(() => cache.Write([4]));
        Assert.Contains("3", error.Message, StringComparison.Ordinal);
        Assert.True(cache.IsCompleted);
    }

    [Fact]
    public async Task CancelingAReceivePublishesNothingAndFreesTheWriter()
    {
        using var cache = NewCache();
        using LoopbackSocketPair pair = await LoopbackSocketPair.ConnectAsync();
        using var cancellation = new CancellationTokenSource();
        Task<int> pending = cache.ReceiveIntoAsync(pair.Server, 1024, cancellation.Token).AsTask();

        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.WaitAsync(Timeout));
        Assert.Equal(0, cache.WritePosition);
        cache.Write([1]);
        Assert.Equal(1, cache.WritePosition);
    }

    [Fact]
    public async Task InvalidWriterArgumentsAreRejected()
    {
        using var cache = NewCache();

        await Assert.ThrowsAsync<ArgumentNullException>(() => cache.ReceiveIntoAsync(null!, 1).AsTask());
        await Assert.ThrowsAsync<ArgumentNullException>(() => cache.ReadIntoAsync(null!, 1).AsTask());
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => cache.ReadIntoAsync(new MemoryStream(), 0).AsTask());
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => cache.ReadIntoAsync(new MemoryStream(), -5).AsTask());
        cache.Write([1]); // The writer is still free after rejected calls.
    }

    [Fact]
    public async Task WriteLongerThanTheRingKeepsTheNewestBytesAndNeverWaits()
    {
        using var cache = NewCache(capacity: 16 * 1024);
        using LiveReader stalled = cache.CreateReader();
        byte[] data = new byte[100_000];
        new Random(3).NextBytes(data);

        cache.Write(data);
        using LiveReader late = cache.CreateReader();
        cache.Write([1]);
        LiveReadResult result = await late.ReadAsync().Within();

        Assert.Equal(100_000, result.Position);
        Assert.True(cache.OldestPosition >= 100_000 - 16 * 1024);
        Assert.True(cache.OldestPosition <= 100_000 - (16 * 1024 * 7 / 8));
        Assert.Equal(new byte[] { 1 }, result.Buffer.ToArray());
    }

    [Fact]
    public async Task AnInvalidSyncPointEndsTheStreamFaultedWithoutPublishingTheWrite()
    {
        var detector = new BackwardsSyncPointDetector();
        using var cache = new LiveCache(new LiveCacheOptions { Capacity = 64 * 1024, Memory = TestCaches.LiveMemory(64 * 1024), SegmentSize = 4096, SyncPointDetector = detector });
        using LiveReader reader = cache.CreateReader();
        cache.Write(new byte[100]); // sync point at 0: valid

        InvalidOperationException error = Assert.Throws<InvalidOperationException>(() => cache.Write(new byte[100])); // at 0 again

        Assert.Contains("sync point", error.Message, StringComparison.Ordinal);
        Assert.True(cache.IsCompleted);
        Assert.Equal(100, cache.WritePosition);
        Assert.Throws<InvalidOperationException>(() => cache.Write(new byte[1]));
        LiveReadResult drained = await reader.ReadAsync().AsTask().WaitAsync(Timeout);
        Assert.Equal(100, drained.Buffer.Length);
        reader.AdvanceTo(drained.Position + drained.Buffer.Length);
        IOException fault = await Assert.ThrowsAsync<IOException>(() => reader.ReadAsync().AsTask().WaitAsync(Timeout));
        Assert.Same(error, fault.InnerException);
    }

    /// <summary>A faulty detector: reports position 0 as a sync point on every write.</summary>
    private sealed class BackwardsSyncPointDetector : ISyncPointDetector
    {
        public int UnitSize => 1;

        public bool Inspect(long position, ReadOnlySpan<byte> data, out SyncPoint syncPoint)
        {
            syncPoint = new SyncPoint(0);
            return true;
        }
    }
}
