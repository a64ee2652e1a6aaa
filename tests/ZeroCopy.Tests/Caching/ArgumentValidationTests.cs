using System.Net.Sockets;
using ZeroCopy.Tests.Infrastructure;

namespace ZeroCopy.Tests.Caching;

/// <summary>
/// Every range-taking member rejects every invalid range with an <see cref="ArgumentOutOfRangeException"/> whose
/// message carries the offset, the length and the capacity; the cache works normally afterwards.
/// </summary>
public class ArgumentValidationTests
{
    private const int SegmentSize = VideoCache.MinSegmentSize;
    private const long Capacity = (2 * SegmentSize) + 100; // Not a multiple of the segment size: a short last segment.

    public static TheoryData<long, long> InvalidRanges => new()
    {
        { -1, 0 },
        { -1, 1 },
        { long.MinValue, 0 },
        { 0, -1 },
        { 10, -5 },
        { 0, long.MinValue },
        { Capacity + 1, 0 },
        { Capacity, 1 },
        { Capacity - 10, 11 },
        { 0, Capacity + 1 },
        { SegmentSize, Capacity },
        { 1, long.MaxValue },
        { Capacity, long.MaxValue },
        { long.MaxValue, 1 },
        { long.MaxValue, long.MaxValue },
        { long.MaxValue, 0 },
    };

    public static TheoryData<long, int> InvalidIntRanges => new()
    {
        { -1, 0 },
        { -1, 1 },
        { long.MinValue, 0 },
        { 0, -1 },
        { 10, -5 },
        { 0, int.MinValue },
        { Capacity + 1, 0 },
        { Capacity, 1 },
        { Capacity - 10, 11 },
        { 1, int.MaxValue },
        { long.MaxValue, 1 },
        { long.MaxValue, int.MaxValue },
        { long.MaxValue, 0 },
    };

    public static TheoryData<long, int> InvalidWriteRanges => new()
    {
        { -1, 0 },
        { -1, 1 },
        { long.MinValue, 0 },
        { Capacity + 1, 0 },
        { Capacity, 1 },
        { Capacity - 10, 11 },
        { 0, (int)Capacity + 1 },
        { long.MaxValue, 1 },
        { long.MaxValue, 0 },
    };

    [Theory]
    [MemberData(nameof(InvalidRanges))]
    public void ReadSliceWithAnInvalidRangeThrowsWithTheValues(long offset, long length)
    {
        using VideoCache cache = CreateCache();

        AssertRangeRejected(() => cache.ReadSlice(offset, length), offset, length);

        AssertStillWorks(cache);
    }

    [Theory]
    [MemberData(nameof(InvalidRanges))]
    public void GetWritableRangesWithAnInvalidRangeThrowsWithTheValues(long offset, long length)
    {
        using VideoCache cache = CreateCache();

        AssertRangeRejected(() => cache.GetWritableRanges(offset, length), offset, length);

        AssertStillWorks(cache);
    }

    [Theory]
    [MemberData(nameof(InvalidRanges))]
    public void OpenReadStreamWithAnInvalidRangeThrowsWithTheValues(long offset, long length)
    {
        using VideoCache cache = CreateCache();

        AssertRangeRejected(() => cache.OpenReadStream(offset, length), offset, length);

        AssertStillWorks(cache);
    }

    [Theory]
    [MemberData(nameof(InvalidIntRanges))]
    public void TryGetMemoryWithAnInvalidRangeThrowsWithTheValues(long offset, int length)
    {
        using VideoCache cache = CreateCache();

        AssertRangeRejected(() => cache.TryGetMemory(offset, length, out _), offset, length);

        AssertStillWorks(cache);
    }

    [Theory]
    [MemberData(nameof(InvalidIntRanges))]
    public void TryReadMemoryWithAnInvalidRangeThrowsWithTheValues(long offset, int length)
    {
        using VideoCache cache = CreateCache();

        AssertRangeRejected(() => cache.TryReadMemory(offset, length, out _), offset, length);

        AssertStillWorks(cache);
    }

    [Theory]
    [MemberData(nameof(InvalidIntRanges))]
    public void GetMemoryWithAnInvalidRangeThrowsWithTheValues(long offset, int length)
    {
        using VideoCache cache = CreateCache();

        AssertRangeRejected(() => cache.GetMemory(offset, length), offset, length);

        AssertStillWorks(cache);
    }

    [Theory]
    [MemberData(nameof(InvalidWriteRanges))]
    public void WriteWithAnInvalidRangeThrowsWithTheValuesAndWritesNothing(long offset, int length)
    {
        using VideoCache cache = CreateCache();
        TestData.Fill(cache, 0x33);
        byte[] source = TestData.Pattern(length);

        AssertRangeRejected(() => cache.Write(offset, source), offset, length);

        ByteAssert.All(0x33, cache.ReadSlice(0, Capacity), "a rejected write must not write a prefix");
        AssertStillWorks(cache);
    }

    [Theory]
    [MemberData(nameof(InvalidRanges))]
    public async Task ReceiveIntoAsyncWithAnInvalidRangeThrowsWithTheValues(long offset, long length)
    {
        using VideoCache cache = CreateCache();
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

        await AssertRangeRejectedAsync(async () => await cache.ReceiveIntoAsync(socket, offset, length), offset, length);

        AssertStillWorks(cache);
    }

    [Theory]
    [MemberData(nameof(InvalidRanges))]
    public async Task ReadIntoAsyncWithAnInvalidRangeThrowsWithTheValuesAndReadsNothing(long offset, long length)
    {
        using VideoCache cache = CreateCache();
        var stream = new OneBytePerReadStream(TestData.Pattern(10));

        await AssertRangeRejectedAsync(async () => await cache.ReadIntoAsync(stream, offset, length), offset, length);

        Assert.Equal(0, stream.ReadCalls);
        AssertStillWorks(cache);
    }

    [Theory]
    [MemberData(nameof(InvalidRanges))]
    public async Task SendToAsyncWithAnInvalidRangeThrowsWithTheValues(long offset, long length)
    {
        using VideoCache cache = CreateCache();
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

        await AssertRangeRejectedAsync(async () => await cache.SendToAsync(socket, offset, length), offset, length);

        AssertStillWorks(cache);
    }

    [Theory]
    [MemberData(nameof(InvalidRanges))]
    public async Task WriteToAsyncWithAnInvalidRangeThrowsWithTheValuesAndWritesNothing(long offset, long length)
    {
        using VideoCache cache = CreateCache();
        var stream = new RecordingWriteStream();

        await AssertRangeRejectedAsync(async () => await cache.WriteToAsync(stream, offset, length), offset, length);

        Assert.Empty(stream.Writes);
        AssertStillWorks(cache);
    }

    [Theory]
    [InlineData(SegmentSize - 1, 2)]
    [InlineData(0, SegmentSize + 1)]
    [InlineData(SegmentSize + 1, SegmentSize)]
    [InlineData((2 * SegmentSize) - 50, 100)]
    public void GetMemoryCrossingASegmentBoundaryThrowsArgumentExceptionWithTheValues(long offset, int length)
    {
        using VideoCache cache = CreateCache();

        ArgumentException e = Assert.Throws<ArgumentException>(() => cache.GetMemory(offset, length));

        Assert.Contains($"offset {offset}", e.Message, StringComparison.Ordinal);
        Assert.Contains($"length {length}", e.Message, StringComparison.Ordinal);
        Assert.Contains($"segment size {SegmentSize}", e.Message, StringComparison.Ordinal);
        AssertStillWorks(cache);
    }

    [Fact]
    public async Task NullSocketOrStreamThrowsArgumentNullExceptionNamingIt()
    {
        using VideoCache cache = CreateCache();

        Assert.Equal("socket", (await Assert.ThrowsAsync<ArgumentNullException>(async () => await cache.ReceiveIntoAsync(null!, 0, 1))).ParamName);
        Assert.Equal("socket", (await Assert.ThrowsAsync<ArgumentNullException>(async () => await cache.SendToAsync(null!, 0, 1))).ParamName);
        Assert.Equal("stream", (await Assert.ThrowsAsync<ArgumentNullException>(async () => await cache.ReadIntoAsync(null!, 0, 1))).ParamName);
        Assert.Equal("stream", (await Assert.ThrowsAsync<ArgumentNullException>(async () => await cache.WriteToAsync(null!, 0, 1))).ParamName);

        AssertStillWorks(cache);
    }

    private static VideoCache CreateCache() => new(Capacity, SegmentSize);

    private static void AssertRangeRejected(Action action, long offset, long length)
    {
        ArgumentOutOfRangeException e = Assert.Throws<ArgumentOutOfRangeException>(action);
        AssertMessageNamesTheValues(e, offset, length);
    }

    private static async Task AssertRangeRejectedAsync(Func<Task> action, long offset, long length)
    {
        ArgumentOutOfRangeException e = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(action);
        AssertMessageNamesTheValues(e, offset, length);
    }

    private static void AssertMessageNamesTheValues(ArgumentOutOfRangeException e, long offset, long length)
    {
        Assert.Contains($"offset {offset}", e.Message, StringComparison.Ordinal);
        Assert.Contains($"length {length}", e.Message, StringComparison.Ordinal);
        Assert.Contains($"capacity {Capacity}", e.Message, StringComparison.Ordinal);
    }

    private static void AssertStillWorks(VideoCache cache)
    {
        byte[] data = TestData.Pattern((int)Capacity, start: 99);
        cache.Write(0, data);
        ByteAssert.Equal(data, cache.ReadSlice(0, Capacity), "the cache must work after a rejected call");
        Assert.True(cache.TryReadMemory(SegmentSize, SegmentSize, out ReadOnlyMemory<byte> memory));
        ByteAssert.Equal(data.AsSpan(SegmentSize, SegmentSize), memory.Span);
    }
}
