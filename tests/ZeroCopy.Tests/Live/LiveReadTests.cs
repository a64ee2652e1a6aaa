using System.Buffers;
using System.Runtime.InteropServices;
using ZeroCopy.Tests.Infrastructure;

namespace ZeroCopy.Tests.Live;

public class LiveReadTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static LiveCache NewCache(long capacity = 64 * 1024, int segmentSize = 4096) =>
        new(new LiveCacheOptions { Capacity = capacity, Memory = TestCaches.LiveMemory(capacity), SegmentSize = segmentSize });

    private static byte[] Bytes(int length, int seed)
    {
        byte[] data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    [Fact]
    public async Task ReadAfterWriteReturnsTheWrittenBytesFromTheReadersPosition()
    {
        using var cache = NewCache();
        using LiveReader reader = cache.CreateReader();
        byte[] data = Bytes(1000, 1);

        cache.Write(data);
        LiveReadResult result = await reader.ReadAsync().Within();

        Assert.Equal(0, result.Position);
        Assert.Equal(data, result.Buffer.ToArray());
        Assert.Equal(0, result.SkippedBytes);
        Assert.False(result.IsCompleted);
        reader.AdvanceTo(1000);
        Assert.Equal(1000, reader.Position);
        Assert.Equal(1000, cache.WritePosition);
    }

    [Fact]
    public void ReaderCreatedWithoutADetectorStartsAtTheNewestByte()
    {
        using var cache = NewCache();
        cache.Write(Bytes(500, 2));

        using LiveReader reader = cache.CreateReader();

        Assert.Equal(500, reader.Position);
        Assert.Equal(1, cache.ReaderCount);
    }

    [Fact]
    public async Task ReadWaitsUntilTheWriterPublishes()
    {
        using var cache = NewCache();
        using LiveReader reader = cache.CreateReader();

        Task<LiveReadResult> pending = reader.ReadAsync().AsTask();
        Assert.False(pending.IsCompleted);
        cache.Write([1, 2, 3]);
        LiveReadResult result = await pending.WaitAsync(Timeout);

        Assert.Equal(new byte[] { 1, 2, 3 }, result.Buffer.ToArray());
    }

    [Fact]
    public async Task BufferAcrossTheWrapPointIsOneSequenceOverTheRingsOwnMemory()
    {
        using var cache = NewCache(capacity: 16 * 1024, segmentSize: 4096);
        using LiveReader reader = cache.CreateReader();
        byte[] first = Bytes(12 * 1024, 3);
        cache.Write(first);
        LiveReadResult early = await reader.ReadAsync().Within();
        Assert.True(MemoryMarshal.TryGetArray(early.Buffer.First, out ArraySegment<byte> ringStart));
        reader.AdvanceTo(early.Position + early.Buffer.Length);

        byte[] second = Bytes(8 * 1024, 4);
        cache.Write(second); // positions 12 KiB to 20 KiB: ring offsets 12 to 16 KiB, then 0 to 4 KiB.
        LiveReadResult wrapped = await reader.ReadAsync().Within();

        Assert.Equal(12 * 1024, wrapped.Position);
        Assert.Equal(second, wrapped.Buffer.ToArray());
        Assert.False(wrapped.Buffer.IsSingleSegment);
        ReadOnlyMemory<byte> last = default;
        foreach (ReadOnlyMemory<byte> segment in wrapped.Buffer)
        {
            last = segment;
        }

        // The bytes past the wrap point are the ring's first segment itself, not a copy.
        Assert.True(MemoryMarshal.TryGetArray(last, out ArraySegment<byte> afterWrap));
        Assert.Same(ringStart.Array, afterWrap.Array);
        Assert.Equal(0, afterWrap.Offset);
    }

    [Fact]
    public async Task RingWhoseCapacityIsNotAMultipleOfTheSegmentSizeKeepsEveryByteOverManyLaps()
    {
        using var cache = NewCache(capacity: 10_000, segmentSize: 4096);
        using LiveReader reader = cache.CreateReader();
        var random = new Random(5);
        byte[] stream = Bytes(200_000, 6);
        int written = 0;
        var received = new List<byte>();

        while (written < stream.Length)
        {
            int length = Math.Min(random.Next(1, 3000), stream.Length - written);
            cache.Write(stream.AsSpan(written, length));
            written += length;
            LiveReadResult result = await reader.ReadAsync().Within();
            received.AddRange(result.Buffer.ToArray());
            reader.AdvanceTo(result.Position + result.Buffer.Length);
        }

        Assert.Equal(0, reader.SkipCount);
        Assert.Equal(stream, received.ToArray());
    }

    [Fact]
    public async Task AdvanceOutsideTheLastBufferThrowsWithThePositionsInTheMessage()
    {
        using var cache = NewCache();
        using LiveReader reader = cache.CreateReader();
        cache.Write(Bytes(100, 7));
        await reader.ReadAsync().Within();

        var beyond = Assert.Throws<ArgumentOutOfRangeException>(() => reader.AdvanceTo(101));
        var before = Assert.Throws<ArgumentOutOfRangeException>(() => reader.AdvanceTo(-1));

        Assert.Contains("101", beyond.Message, StringComparison.Ordinal);
        Assert.Contains("100", beyond.Message, StringComparison.Ordinal);
        Assert.Contains("-1", before.Message, StringComparison.Ordinal);
        Assert.Equal(0, reader.Position);
    }

    [Fact]
    public async Task PartialAdvanceReturnsTheRestOnTheNextRead()
    {
        using var cache = NewCache();
        using LiveReader reader = cache.CreateReader();
        byte[] data = Bytes(100, 8);
        cache.Write(data);

        LiveReadResult first = await reader.ReadAsync().Within();
        reader.AdvanceTo(30);
        LiveReadResult second = await reader.ReadAsync().Within();

        Assert.Equal(100, first.Buffer.Length);
        Assert.Equal(30, second.Position);
        Assert.Equal(data[30..], second.Buffer.ToArray());
    }

    [Fact]
    public async Task ReadingAgainWithoutAdvancingReturnsTheSameBytesPlusNewOnes()
    {
        using var cache = NewCache();
        using LiveReader reader = cache.CreateReader();
        cache.Write([1, 2]);
        await reader.ReadAsync().Within();
        cache.Write([3]);

        LiveReadResult again = await reader.ReadAsync().Within();

        Assert.Equal(new byte[] { 1, 2, 3 }, again.Buffer.ToArray());
    }

    [Fact]
    public async Task SecondReadOnTheSameReaderWhileTheFirstWaitsThrows()
    {
        using var cache = NewCache();
        using LiveReader reader = cache.CreateReader();
        Task<LiveReadResult> pending = reader.ReadAsync().AsTask();

        await Assert.ThrowsAsync<InvalidOperationException>(() => reader.ReadAsync().AsTask());
        Assert.Throws<InvalidOperationException>(() => reader.AdvanceTo(0));

        cache.Write([9]);
        Assert.Equal(1, (await pending.WaitAsync(Timeout)).Buffer.Length);
    }

    [Fact]
    public async Task ManyReadersEachSeeTheWholeStreamFromWhereTheyJoined()
    {
        using var cache = NewCache();
        byte[] data = Bytes(3000, 9);
        cache.Write(data.AsSpan(0, 1000));
        using LiveReader early = cache.CreateReader();
        cache.Write(data.AsSpan(1000, 1000));
        using LiveReader late = cache.CreateReader();
        cache.Write(data.AsSpan(2000));

        LiveReadResult fromEarly = await early.ReadAsync().Within();
        LiveReadResult fromLate = await late.ReadAsync().Within();

        Assert.Equal(data[1000..], fromEarly.Buffer.ToArray());
        Assert.Equal(data[2000..], fromLate.Buffer.ToArray());
    }
}
