using System.Buffers;
using ZeroCopy.Tests.Infrastructure;

namespace ZeroCopy.Tests.Caching;

/// <summary>
/// A cache larger than 2 GiB (<see cref="LargeCacheFixture"/>): offsets past 2^31 and the segment boundaries at 1 GiB
/// and 2 GiB. The tests share one cache, and xunit runs the tests of one class one after another, so at most one
/// such cache is alive at a time.
/// </summary>
public class LargeCacheTests(LargeCacheFixture fixture) : IClassFixture<LargeCacheFixture>
{
    private const long TwoGiB = LargeCacheFixture.TwoGiB;
    private const long Capacity = LargeCacheFixture.Capacity;
    private const int SegmentSize = VideoCache.MaxSegmentSize;

    private readonly VideoCache _cache = fixture.Cache;

    [Fact]
    public void LargeCacheHasThreeSegmentsTheLastOneShort()
    {
        Assert.Equal(Capacity, _cache.Capacity);
        Assert.Equal(3, _cache.SegmentCount);
        Assert.Equal(SegmentSize, _cache.SegmentSize);

        var lengths = new List<int>();
        foreach (Memory<byte> piece in _cache.GetWritableRanges(0, Capacity))
        {
            lengths.Add(piece.Length);
        }

        Assert.Equal(new[] { SegmentSize, SegmentSize, SegmentSize / 2 }, lengths);
        Assert.Equal(Capacity, _cache.ReadSlice(0, Capacity).Length);
    }

    [Theory]
    [InlineData(TwoGiB - 3000, 6000)]                 // across the segment boundary at 2^31
    [InlineData(TwoGiB, 4096)]                        // exactly at 2^31
    [InlineData(TwoGiB + 123_456_789, 70_000)]        // well past 2^31, inside the last segment
    [InlineData(SegmentSize - 1, 2)]                  // across the boundary at 1 GiB
    [InlineData(Capacity - 5000, 5000)]               // the very end
    [InlineData(TwoGiB - 1, 1)]                       // the last byte below 2^31
    public void WriteAndReadBackPastTwoGiBMatchesByteForByte(long offset, int length)
    {
        byte[] data = TestData.Random(length, seed: (int)(offset % int.MaxValue));
        string context = $"offset {offset}, length {length}";

        _cache.Write(offset, data);

        ReadOnlySequence<byte> slice = _cache.ReadSlice(offset, length);
        Assert.Equal(length, slice.Length);
        ByteAssert.Equal(data, slice, context);
        bool crosses = (offset / SegmentSize) != ((offset + length - 1) / SegmentSize);
        Assert.Equal(!crosses, slice.IsSingleSegment);
        Assert.Equal(!crosses, _cache.TryReadMemory(offset, length, out ReadOnlyMemory<byte> memory));
        if (!crosses)
        {
            ByteAssert.Equal(data, memory.Span, context);
        }
    }

    [Fact]
    public void WritableViewPastTwoGiBIsTheMemoryTheReadSliceSees()
    {
        long offset = TwoGiB + 1_000_000;
        Memory<byte> view = _cache.GetMemory(offset, 256);
        ReadOnlySequence<byte> slice = _cache.ReadSlice(offset, 256);

        byte[] data = TestData.Pattern(256, start: 31);
        data.CopyTo(view);

        ByteAssert.Equal(data, slice);
    }

    [Fact]
    public void OpenReadStreamPastTwoGiBSeeksAndReadsTheExactBytes()
    {
        long offset = TwoGiB - 100_000;
        byte[] data = TestData.Random(200_000, seed: 5);
        _cache.Write(offset, data);

        using Stream whole = _cache.OpenReadStream(0, Capacity);
        Assert.Equal(Capacity, whole.Length);
        Assert.Equal(offset + 150_000, whole.Seek(offset + 150_000, SeekOrigin.Begin));
        byte[] read = new byte[1000];
        whole.ReadExactly(read);
        ByteAssert.Equal(data.AsSpan(150_000, 1000), read);
        Assert.Equal(offset + 151_000, whole.Position);

        using Stream across = _cache.OpenReadStream(offset, data.Length);
        using var copy = new MemoryStream();
        across.CopyTo(copy, bufferSize: 4093);
        ByteAssert.Equal(data, copy.ToArray());
    }

    [Fact]
    public async Task ReceiveIntoAndSendToPastTwoGiBAcrossTheBoundaryMoveTheExactBytes()
    {
        using var timeout = TestTimeout.CreateSource();
        using LoopbackSocketPair pair = await LoopbackSocketPair.ConnectAsync(timeout.Token);
        long offset = TwoGiB - 70_000;
        byte[] data = TestData.Random(150_001, seed: 17);

        Task send = LoopbackSocketPair.SendInPiecesAsync(pair.Client, data, [1, 7, 4093, 65537], timeout.Token);
        long received = await _cache.ReceiveIntoAsync(pair.Server, offset, data.Length, timeout.Token);
        await send;

        Assert.Equal(data.Length, received);
        ByteAssert.Equal(data, _cache.ReadSlice(offset, data.Length));

        Task<byte[]> echo = LoopbackSocketPair.ReceiveToEndAsync(pair.Client, timeout.Token);
        await _cache.SendToAsync(pair.Server, offset, data.Length, timeout.Token);
        pair.Server.Shutdown(System.Net.Sockets.SocketShutdown.Send);
        byte[] echoed = await echo;
        ByteAssert.Equal(data, echoed);
    }
}
