using System.Net.Sockets;
using System.Security.Cryptography;
using ZeroCopy.Tests.Infrastructure;

namespace ZeroCopy.Tests.Segments;

/// <summary>
/// The memory-mapped stores: shared memory and files mapped read-only, sends through sendfile(2), and their lifetime.
/// They count process-wide things (sendfile pieces, descriptors, mappings), so they run alone.
/// </summary>
[Collection(nameof(ProcessWideTestGroup))]
public class MappedStoreTests
{
    private const int SegmentSize = 1 << 20;

    [Fact]
    public async Task ASendFromSharedMemoryGoesThroughSendfileNotSendAndIsByteExactAcrossSegments()
    {
        using var cache = new VideoCache(4L * SegmentSize, SegmentSize, CacheMemory.SharedMemory);
        byte[] content = TestData.Random((int)cache.Capacity, seed: 91);
        cache.Write(0, content);
        using LoopbackSocketPair pair = await LoopbackSocketPair.ConnectAsync();
        long before = SocketSender.FilePiecesSent;
        const long Offset = SegmentSize - 12_345;
        const int Length = (2 * SegmentSize) + 999;

        Task<byte[]> receiving = ReceiveAsync(pair.Client, Length);
        await cache.SendToAsync(pair.Server, Offset, Length).Within();

        byte[] received1 = await receiving.Within();
        ByteAssert.Equal(content.AsSpan((int)Offset, Length), received1);
        Assert.True(SocketSender.FilePiecesSent - before >= 3, $"{SocketSender.FilePiecesSent - before} pieces went through sendfile; a 2 MiB range takes at least 3 of at most 1 MiB");
    }

    [Fact]
    public async Task APinnedArrayCacheSendsWithSendNotSendfile()
    {
        using var cache = new VideoCache(2L * SegmentSize, SegmentSize, CacheMemory.PinnedArrays);
        using LoopbackSocketPair pair = await LoopbackSocketPair.ConnectAsync();
        long before = SocketSender.FilePiecesSent;

        Task<byte[]> receiving = ReceiveAsync(pair.Client, SegmentSize);
        await cache.SendToAsync(pair.Server, 0, SegmentSize).Within();
        await receiving.Within();

        Assert.Equal(before, SocketSender.FilePiecesSent);
    }

    [Fact]
    public async Task RandomRangesFromSharedMemoryAreByteExactAndOnlyThoseLongerThanOnePieceGoThroughSendfile()
    {
        const int Segment = 256 * 1024;
        using var cache = new VideoCache(40L * Segment, Segment, CacheMemory.SharedMemory);
        byte[] content = TestData.Random((int)cache.Capacity, seed: 92);
        cache.Write(0, content);
        using LoopbackSocketPair pair = await LoopbackSocketPair.ConnectAsync();
        var random = new Random(93);
        int[] edges = [1, SocketExtensions.DefaultMaxSendSize, SocketExtensions.DefaultMaxSendSize + 1];

        for (int i = 0; i < 60; i++)
        {
            int length = i < edges.Length ? edges[i] : random.Next(1, 12 * Segment);
            long offset = random.NextInt64(0, cache.Capacity - length + 1);
            long before = SocketSender.FilePiecesSent;
            Task<byte[]> receiving = ReceiveAsync(pair.Client, length);
            await cache.SendToAsync(pair.Server, offset, length).Within();

            byte[] received = await receiving.Within();
            Assert.Equal(SHA256.HashData(content.AsSpan((int)offset, length)), SHA256.HashData(received));
            Assert.Equal(SocketSender.SendsFromFile(length), SocketSender.FilePiecesSent > before);
        }
    }

    [Fact]
    public async Task AnOpenedFileIsMappedReadOnlyAndSentWithSendfile()
    {
        string path = Path.GetTempFileName();
        try
        {
            byte[] content = TestData.Random((3 * SegmentSize) + 777, seed: 94);
            await File.WriteAllBytesAsync(path, content);

            using VideoCache cache = VideoCache.OpenFile(path, SegmentSize);

            Assert.Equal(content.Length, cache.Capacity);
            Assert.True(cache.IsReadOnly);
            Assert.Equal(CacheMemory.MappedFile, cache.Memory);
            ByteAssert.Equal(content, cache.ReadSlice(0, content.Length));
            Assert.Throws<NotSupportedException>(() => cache.Write(0, [1]));
            Assert.Throws<NotSupportedException>(() => cache.GetMemory(0, 1));
            Assert.Throws<NotSupportedException>(() => cache.TryGetMemory(0, 1, out _));
            Assert.Throws<NotSupportedException>(() => cache.GetWritableRanges(0, 1));
            await Assert.ThrowsAsync<NotSupportedException>(async () => await cache.ReadIntoAsync(new MemoryStream(new byte[10]), 0, 10));
            Assert.True(cache.TryReadMemory(5, 100, out ReadOnlyMemory<byte> view));
            ByteAssert.Equal(content.AsSpan(5, 100), view.Span);

            using LoopbackSocketPair pair = await LoopbackSocketPair.ConnectAsync();
            long before = SocketSender.FilePiecesSent;
            Task<byte[]> receiving = ReceiveAsync(pair.Client, 2 * SegmentSize);
            await cache.SendToAsync(pair.Server, 500, 2 * SegmentSize).Within();
            byte[] received2 = await receiving.Within();
            ByteAssert.Equal(content.AsSpan(500, 2 * SegmentSize), received2);
            Assert.True(SocketSender.FilePiecesSent - before >= 2);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void AnOpenedFileCanBeLockedInMemoryAndAnEmptyFileIsAnEmptyCache()
    {
        string path = Path.GetTempFileName();
        try
        {
            byte[] content = TestData.Random(SegmentSize + 1, seed: 95);
            File.WriteAllBytes(path, content);
            using (VideoCache locked = VideoCache.OpenFile(path, SegmentSize, lockInMemory: true))
            {
                ByteAssert.Equal(content, locked.ReadSlice(0, content.Length));
            }

            File.WriteAllBytes(path, []);
            using VideoCache empty = VideoCache.OpenFile(path, SegmentSize);
            Assert.Equal(0, empty.Capacity);
            Assert.True(empty.ReadSlice(0, 0).IsEmpty);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task DisposeRacedAgainstSendsAndReceivesNeverCrashesAndLeaksNoDescriptorOrMapping()
    {
        // Earlier tests' sockets may still wait for finalization: close them first, so the count below moves only by ours.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        int descriptors = Directory.GetFiles("/proc/self/fd").Length;
        int mappings = CountSharedMappings();

        for (int round = 0; round < 20; round++)
        {
            var cache = new VideoCache(4L * SegmentSize, SegmentSize, CacheMemory.SharedMemory);
            using LoopbackSocketPair sendPair = await LoopbackSocketPair.ConnectAsync(bufferSize: 64 * 1024);
            using LoopbackSocketPair receivePair = await LoopbackSocketPair.ConnectAsync();
            Task send = cache.SendToAsync(sendPair.Server, 0, cache.Capacity).AsTask();
            Task<long> receive = cache.ReceiveIntoAsync(receivePair.Server, 0, cache.Capacity).AsTask();
            receivePair.Client.Send(new byte[100_000]);
            Task draining = DrainAsync(sendPair.Client, stopAfter: round * 50_000);
            await Task.Delay(round % 3);

            cache.Dispose();
            sendPair.Server.Shutdown(SocketShutdown.Both);
            receivePair.Client.Shutdown(SocketShutdown.Both);

            await ExpectEndAsync(send);
            await ExpectEndAsync(receive);
            await draining.Within();
            Assert.Throws<ObjectDisposedException>(() => cache.ReadSlice(0, 1));
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        Assert.Equal(mappings, CountSharedMappings());
        int after = Directory.GetFiles("/proc/self/fd").Length;
        Assert.True(after <= descriptors, $"{after - descriptors} descriptors leaked ({descriptors} before, {after} after 20 rounds)");
    }

    [Fact]
    public async Task AnOperationStartedAfterDisposeIsRefusedWithObjectDisposed()
    {
        var cache = new VideoCache(SegmentSize, SegmentSize, CacheMemory.SharedMemory);
        Memory<byte> view = cache.GetMemory(0, 10);
        cache.Dispose();
        using LoopbackSocketPair pair = await LoopbackSocketPair.ConnectAsync();

        Assert.Throws<ObjectDisposedException>(() => view.Span[0]);
        Assert.Throws<ObjectDisposedException>(() => view.Pin());
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await cache.SendToAsync(pair.Server, 0, 10));
    }

    [Fact]
    public async Task CancelingASendfileThatCannotProgressEndsItAndShutsTheSocketDown()
    {
        using var cache = new VideoCache(8L * SegmentSize, SegmentSize, CacheMemory.SharedMemory);
        using LoopbackSocketPair pair = await LoopbackSocketPair.ConnectAsync(bufferSize: 16 * 1024);
        using var cancel = new CancellationTokenSource();

        Task send = cache.SendToAsync(pair.Server, 0, cache.Capacity, cancel.Token).AsTask(); // the peer never reads
        await Task.Delay(100);
        Assert.False(send.IsCompleted);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => send.Within());
    }

    [Fact]
    public async Task ALiveRingInSharedMemorySendsWithSendfileAcrossTheWrapPoint()
    {
        using var cache = new LiveCache(new LiveCacheOptions { Capacity = 1024 * 1024, SegmentSize = 64 * 1024, Memory = CacheMemory.SharedMemory });
        Assert.Equal(CacheMemory.SharedMemory, cache.Memory);
        cache.Write(new byte[960 * 1024]);
        using LiveReader reader = cache.CreateReader();
        using LoopbackSocketPair viewer = await LoopbackSocketPair.ConnectAsync();
        byte[] data = TestData.Random(256 * 1024, seed: 96);
        cache.Write(data); // ring offsets 960 KiB to 1 MiB, then 0 to 192 KiB
        long before = SocketSender.FilePiecesSent;

        long sent = await reader.SendToAsync(viewer.Server).Within();

        Assert.Equal(data.Length, sent);
        byte[] received3 = await ReceiveAsync(viewer.Client, data.Length).Within();
        ByteAssert.Equal(data, received3);
        Assert.True(SocketSender.SendsFromFile(data.Length) == (SocketSender.FilePiecesSent - before >= 2), $"a wrapped window is two file ranges when the sender uses the file; {SocketSender.FilePiecesSent - before} were sent");
    }

    [Theory]
    [InlineData(600 * 1024)] // an LL-HLS part: sendfile(2) on the loop, one send(2) through the framework
    [InlineData((3 * 1024 * 1024) + 5)] // a whole segment: sendfile(2) pieces on the loop, send(2) pieces through the framework
    public async Task ARangeOfASharedMemoryRingGoesThroughSendfileWhenTheSenderChoosesTheFileForItsPieces(int length)
    {
        using var cache = new LiveCache(new LiveCacheOptions { Capacity = 8 * 1024 * 1024, SegmentSize = 1024 * 1024, Memory = CacheMemory.SharedMemory });
        cache.Write(new byte[7 * 1024 * 1024]);
        byte[] data = TestData.Random(length, seed: 97);
        long position = cache.WritePosition;
        cache.Write(data); // wraps past the ring's end
        using LoopbackSocketPair viewer = await LoopbackSocketPair.ConnectAsync();
        long before = SocketSender.FilePiecesSent;

        Task<byte[]> receiving = ReceiveAsync(viewer.Client, length);
        Assert.True(await cache.SendRangeAsync(viewer.Server, position, length).Within());

        byte[] received = await receiving.Within();
        ByteAssert.Equal(data, received);
        Assert.Equal(SocketSender.SendsFromFile(Math.Min(length, cache.SendPieceSize)), SocketSender.FilePiecesSent > before);
    }

    [Fact]
    public async Task BytesASendfileQueuedStayIntactWhenTheWriterReusesTheirRegionBeforeTheViewerReadsThem()
    {
        // The viewer does not read until the writer has lapped the ring twice: with sendfile, what waits in the sockets
        // are references to the ring's pages, so the writer must detach them before it reuses them.
        const int Capacity = 64 * 1024;
        using var cache = new LiveCache(new LiveCacheOptions { Capacity = Capacity, SegmentSize = 4096, Memory = CacheMemory.SharedMemory });
        using LiveReader reader = cache.CreateReader();
        using LoopbackSocketPair viewer = await LoopbackSocketPair.ConnectAsync(bufferSize: 1 << 20);
        byte[] first = TestData.Random(32 * 1024, seed: 97);
        cache.Write(first);
        Assert.Equal(first.Length, await reader.SendToAsync(viewer.Server).Within());

        for (int i = 0; i < 2 * Capacity / 4096; i++)
        {
            cache.Write(TestData.Pattern(4096, start: i));
        }

        Assert.False(reader.IsLapped, "the reader held no lease while the writer lapped it");
        byte[] received4 = await ReceiveAsync(viewer.Client, first.Length).Within();
        ByteAssert.Equal(first, received4);
    }

    [Fact]
    public void ASharedMemoryRingMustBeAMultipleOfEightPages()
    {
        long capacity = (8L * Environment.SystemPageSize) + 4096;

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new LiveCache(new LiveCacheOptions { Capacity = capacity, SegmentSize = 4096, Memory = CacheMemory.SharedMemory }));

        Assert.Equal("Capacity", error.ParamName);
    }

    [Fact]
    public void EachCacheReportsTheKindItsStoreWasMadeAsEmptyOrNot()
    {
        using (var pinned = new VideoCache(SegmentSize, SegmentSize, CacheMemory.PinnedArrays))
        using (var shared = new VideoCache(SegmentSize, SegmentSize, CacheMemory.SharedMemory))
        using (var emptyShared = new VideoCache(0, SegmentSize, CacheMemory.SharedMemory))
        {
            Assert.Equal((CacheMemory.PinnedArrays, false), (pinned.Memory, pinned.IsReadOnly));
            Assert.Equal((CacheMemory.SharedMemory, false), (shared.Memory, shared.IsReadOnly));
            Assert.Equal((CacheMemory.SharedMemory, false), (emptyShared.Memory, emptyShared.IsReadOnly)); // nothing mapped, the kind kept
        }

        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, TestData.Random(100, seed: 96));
            using (VideoCache file = VideoCache.OpenFile(path, SegmentSize))
            {
                Assert.Equal((CacheMemory.MappedFile, true), (file.Memory, file.IsReadOnly));
            }

            File.WriteAllBytes(path, []);
            using VideoCache emptyFile = VideoCache.OpenFile(path, SegmentSize);
            Assert.Equal((CacheMemory.MappedFile, true), (emptyFile.Memory, emptyFile.IsReadOnly)); // nothing mapped, still read-only
            Assert.Throws<NotSupportedException>(() => emptyFile.Write(0, []));
        }
        finally
        {
            File.Delete(path);
        }

        long ring = 8L * Environment.SystemPageSize;
        using var pinnedRing = new LiveCache(new LiveCacheOptions { Capacity = ring, SegmentSize = 4096, Memory = CacheMemory.PinnedArrays });
        using var sharedRing = new LiveCache(new LiveCacheOptions { Capacity = ring, SegmentSize = 4096, Memory = CacheMemory.SharedMemory });
        Assert.Equal(CacheMemory.PinnedArrays, pinnedRing.Memory);
        Assert.Equal(CacheMemory.SharedMemory, sharedRing.Memory);
    }

    [Theory]
    [InlineData(CacheMemory.SharedMemory, 0, 0, 0)]
    [InlineData(CacheMemory.SharedMemory, 0, 1, 8)] // pages, in eights
    [InlineData(CacheMemory.SharedMemory, 8, 0, 8)] // already a multiple: unchanged
    [InlineData(CacheMemory.SharedMemory, 8, 1, 16)]
    [InlineData(CacheMemory.SharedMemory, 9, 0, 16)]
    [InlineData(CacheMemory.PinnedArrays, 8, 1, -1)] // -1: unchanged, pinned arrays take any size
    [InlineData(CacheMemory.PinnedArrays, 1, 0, -1)]
    public void RoundUpCapacityGivesTheSmallestRingTheStoreAccepts(CacheMemory memory, int pages, int bytes, int expectedPages)
    {
        long page = Environment.SystemPageSize, capacity = (pages * page) + bytes;
        long rounded = LiveCache.RoundUpCapacity(capacity, memory);

        Assert.Equal(expectedPages < 0 ? capacity : expectedPages * page, rounded);
        if (rounded >= LiveCache.MinCapacity)
        {
            using var cache = new LiveCache(new LiveCacheOptions { Capacity = rounded, SegmentSize = 4096, Memory = memory }); // accepted as it is
            Assert.Equal(rounded, cache.Capacity);
        }
    }

    [Fact]
    public void RoundUpCapacityRefusesWhatNoRingCouldBe()
    {
        Assert.Equal("capacity", Assert.Throws<ArgumentOutOfRangeException>(() => LiveCache.RoundUpCapacity(-1, CacheMemory.PinnedArrays)).ParamName);
        Assert.Equal("capacity", Assert.Throws<ArgumentOutOfRangeException>(() => LiveCache.RoundUpCapacity(long.MaxValue, CacheMemory.SharedMemory)).ParamName);
        Assert.Equal("memory", Assert.Throws<ArgumentOutOfRangeException>(() => LiveCache.RoundUpCapacity(4096, CacheMemory.MappedFile)).ParamName);
    }

    [Fact]
    public void ConstructorsRefuseTheMappedFileKind()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new VideoCache(SegmentSize, SegmentSize, CacheMemory.MappedFile));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LiveCache(new LiveCacheOptions { Capacity = 64 * 1024, Memory = CacheMemory.MappedFile }));
    }

    private static int CountSharedMappings() =>
        File.ReadLines("/proc/self/maps").Count(line => line.Contains("zerocopy-cache", StringComparison.Ordinal));

    private static async Task<byte[]> ReceiveAsync(Socket socket, int length)
    {
        byte[] buffer = new byte[length];
        Assert.Equal(length, await socket.ReceiveFullyAsync(buffer));
        return buffer;
    }

    private static async Task DrainAsync(Socket socket, int stopAfter)
    {
        byte[] buffer = new byte[64 * 1024];
        long received = 0;
        try
        {
            while (received < stopAfter)
            {
                int count = await socket.ReceiveAsync(buffer);
                if (count == 0)
                {
                    return;
                }

                received += count;
            }
        }
        catch (SocketException)
        {
            // The other side shut down: the end of this viewer.
        }
    }

    // A transfer raced against Dispose either finishes or ends with one of the exceptions the API documents.
    private static async Task ExpectEndAsync(Task transfer)
    {
        try
        {
            await transfer.Within();
        }
        catch (Exception e) when (e is ObjectDisposedException or SocketException or IOException or OperationCanceledException)
        {
        }
    }
}

/// <summary>Runs tests that count process-wide things (descriptors, mappings, sendfile pieces) alone.</summary>
[CollectionDefinition(nameof(ProcessWideTestGroup), DisableParallelization = true)]
public sealed class ProcessWideTestGroup;
