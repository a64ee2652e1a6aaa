using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ZeroCopy.Tests.Infrastructure;

namespace ZeroCopy.Tests.Caching;

public class DisposeTests
{
    private const int SegmentSize = VideoCache.MinSegmentSize;

    [Fact]
    public void DisposeTwiceIsFine()
    {
        var cache = TestCaches.Video(2 * SegmentSize, SegmentSize);

        cache.Dispose();
        cache.Dispose();

        Assert.True(cache.IsDisposed);
    }

    [Fact]
    public void EverySynchronousMemberThrowsObjectDisposedExceptionAfterDispose()
    {
        var cache = TestCaches.Video(2 * SegmentSize, SegmentSize);
        cache.Dispose();

        Assert.Throws<ObjectDisposedException>(() => cache.ReadSlice(0, 1));
        Assert.Throws<ObjectDisposedException>(() => cache.ReadSlice(0, 0));
        Assert.Throws<ObjectDisposedException>(() => cache.TryReadMemory(0, 1, out _));
        Assert.Throws<ObjectDisposedException>(() => cache.TryGetMemory(0, 1, out _));
        Assert.Throws<ObjectDisposedException>(() => cache.GetMemory(0, 1));
        Assert.Throws<ObjectDisposedException>(() => cache.GetWritableRanges(0, 1));
        Assert.Throws<ObjectDisposedException>(() => cache.Write(0, new byte[1]));
        Assert.Throws<ObjectDisposedException>(() => cache.OpenReadStream(0, 1));
    }

    [Fact]
    public async Task EveryTransferThrowsObjectDisposedExceptionAfterDispose()
    {
        var cache = TestCaches.Video(2 * SegmentSize, SegmentSize);
        cache.Dispose();
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var source = new OneBytePerReadStream(TestData.Pattern(10));
        var destination = new RecordingWriteStream();

        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await cache.ReceiveIntoAsync(socket, 0, 1));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await cache.ReadIntoAsync(source, 0, 1));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await cache.SendToAsync(socket, 0, 1));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await cache.WriteToAsync(destination, 0, 1));

        Assert.Equal(0, source.ReadCalls);
        Assert.Empty(destination.Writes);
    }

    [Fact]
    public void ObjectDisposedExceptionNamesTheCacheType()
    {
        var cache = TestCaches.Video(SegmentSize, SegmentSize);
        cache.Dispose();

        ObjectDisposedException e = Assert.Throws<ObjectDisposedException>(() => cache.ReadSlice(0, 1));

        Assert.Equal(typeof(VideoCache).FullName, e.ObjectName);
    }

    [Fact]
    public void PropertiesStillDescribeTheCacheAfterDispose()
    {
        var cache = TestCaches.Video((3 * SegmentSize) + 1, SegmentSize);
        cache.Dispose();

        Assert.Equal((3 * SegmentSize) + 1, cache.Capacity);
        Assert.Equal(SegmentSize, cache.SegmentSize);
        Assert.Equal(4, cache.SegmentCount);
        Assert.True(cache.IsDisposed);
    }

    [Fact]
    public void DisposeReleasesTheSegmentMemoryEvenWhileTheCacheIsStillReferenced()
    {
        var cache = new VideoCache(2 * SegmentSize, SegmentSize);
        WeakReference[] segments = TrackSegments(cache);

        cache.Dispose();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        for (int i = 0; i < segments.Length; i++)
        {
            Assert.False(segments[i].IsAlive, $"segment {i} is still reachable after Dispose: the cache keeps its memory alive");
        }

        GC.KeepAlive(cache);
    }

    // Not inlined, so that no reference to a segment's array outlives this frame.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference[] TrackSegments(VideoCache cache)
    {
        var segments = new WeakReference[cache.SegmentCount];
        for (int i = 0; i < segments.Length; i++)
        {
            Assert.True(MemoryMarshal.TryGetArray<byte>(cache.GetMemory((long)i * cache.SegmentSize, 1), out ArraySegment<byte> array));
            segments[i] = new WeakReference(array.Array);
        }

        return segments;
    }

    [Fact]
    public void WritableRangesTakenBeforeDisposeThrowObjectDisposedWhenEnumeratedAfter()
    {
        var cache = TestCaches.Video(3 * VideoCache.MinSegmentSize, VideoCache.MinSegmentSize);
        WritableRanges ranges = cache.GetWritableRanges(0, cache.Capacity);
        cache.Dispose();

        Assert.Throws<ObjectDisposedException>(() =>
        {
            foreach (Memory<byte> piece in ranges)
            {
                piece.Span.Clear();
            }
        });
    }
}
