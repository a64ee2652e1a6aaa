using Xunit.Sdk;
using ZeroCopy.Tests.Infrastructure;

namespace ZeroCopy.Tests.Caching;

/// <summary>
/// <see cref="VideoCache.OpenReadStream"/> reads exactly the range's bytes and seeks correctly, whether the range lies
/// in one segment (the toolkit's memory stream) or crosses segments (a stream over the chained sequence).
/// </summary>
public class OpenReadStreamTests
{
    private const int SegmentSize = VideoCache.MinSegmentSize;
    private const int Capacity = (6 * SegmentSize) + 321;

    public static TheoryData<long, int> Ranges => new()
    {
        { 100, 1000 },                                      // inside one segment
        { SegmentSize, SegmentSize },                       // exactly one segment
        { SegmentSize - 1, 2 },                             // one byte either side of a boundary
        { SegmentSize - 100, (3 * SegmentSize) + 200 },     // several segments
        { 0, Capacity },                                    // everything, short last segment included
        { Capacity - 321, 321 },                            // the short last segment alone
    };

    [Theory]
    [MemberData(nameof(Ranges))]
    public void OpenReadStreamReadsExactlyTheRange(long offset, int length)
    {
        (VideoCache cache, byte[] content) = CreateFilled();
        using (cache)
        {
            using Stream stream = cache.OpenReadStream(offset, length);

            Assert.True(stream.CanRead);
            Assert.True(stream.CanSeek);
            Assert.False(stream.CanWrite);
            Assert.Equal(length, stream.Length);
            Assert.Equal(0, stream.Position);
            using var copy = new MemoryStream();
            stream.CopyTo(copy, bufferSize: 1000); // a buffer that does not divide the segment size
            ByteAssert.Equal(content.AsSpan((int)offset, length), copy.ToArray(), $"offset {offset}, length {length}");
            Assert.Equal(length, stream.Position);
            Assert.Equal(0, stream.Read(new byte[10], 0, 10));
            Assert.Equal(-1, stream.ReadByte());
        }
    }

    [Theory]
    [MemberData(nameof(Ranges))]
    public async Task OpenReadStreamReadsExactlyTheRangeAsynchronously(long offset, int length)
    {
        using var timeout = TestTimeout.CreateSource();
        (VideoCache cache, byte[] content) = CreateFilled();
        using (cache)
        {
            await using Stream stream = cache.OpenReadStream(offset, length);
            byte[] read = new byte[length];
            int total = 0;
            while (total < length)
            {
                int count = total % 2 == 0
                    ? await stream.ReadAsync(read.AsMemory(total, Math.Min(777, length - total)), timeout.Token)
                    : await ReadArrayAsync(stream, read, total, Math.Min(777, length - total), timeout.Token);
                Assert.True(count > 0, $"the stream ended after {total} of {length} bytes");
                total += count;
            }

            ByteAssert.Equal(content.AsSpan((int)offset, length), read);
            Assert.Equal(0, await stream.ReadAsync(new byte[1], timeout.Token));
        }
    }

    [Theory]
    [MemberData(nameof(Ranges))]
    public void OpenReadStreamSeeksFromTheBeginningTheCurrentPositionAndTheEnd(long offset, int length)
    {
        (VideoCache cache, byte[] content) = CreateFilled();
        using (cache)
        {
            using Stream stream = cache.OpenReadStream(offset, length);
            ReadOnlySpan<byte> expected = content.AsSpan((int)offset, length);

            int middle = length / 2;
            Assert.Equal(middle, stream.Seek(middle, SeekOrigin.Begin));
            Assert.Equal(expected[middle], stream.ReadByte());

            Assert.Equal(0, stream.Seek(-(middle + 1), SeekOrigin.Current));
            Assert.Equal(expected[0], stream.ReadByte());

            Assert.Equal(length - 1, stream.Seek(-1, SeekOrigin.End));
            Assert.Equal(expected[length - 1], stream.ReadByte());
            Assert.Equal(-1, stream.ReadByte());

            stream.Position = length - 1;
            Assert.Equal(expected[length - 1], stream.ReadByte());

            Assert.Equal(length, stream.Seek(0, SeekOrigin.End));
            Assert.Equal(-1, stream.ReadByte());

            // Every boundary of the cache's segments inside the range, and a byte either side.
            for (long boundary = ((offset / SegmentSize) + 1) * SegmentSize; boundary < offset + length; boundary += SegmentSize)
            {
                foreach (long position in new[] { boundary - 1, boundary, boundary + 1 })
                {
                    if (position < offset + length)
                    {
                        stream.Position = position - offset;
                        Assert.Equal(expected[(int)(position - offset)], stream.ReadByte());
                    }
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Ranges))]
    public void OpenReadStreamRejectsWritesAndSeeksBeforeTheStart(long offset, int length)
    {
        (VideoCache cache, _) = CreateFilled();
        using (cache)
        {
            using Stream stream = cache.OpenReadStream(offset, length);

            Assert.Throws<NotSupportedException>(() => stream.Write(new byte[1], 0, 1));
            Assert.Throws<NotSupportedException>(() => stream.SetLength(1));
            Assert.Throws<ArgumentOutOfRangeException>(() => stream.Seek(-1, SeekOrigin.Begin));
            Assert.Throws<ArgumentOutOfRangeException>(() => stream.Position = -1);
            Assert.Equal(0, stream.Position);
        }
    }

    [Theory]
    [MemberData(nameof(Ranges))]
    public void OpenReadStreamReadsIntoSpansAndMemoryWithoutAllocating(long offset, int length)
    {
        (VideoCache cache, byte[] content) = CreateFilled();
        using (cache)
        {
            using Stream stream = cache.OpenReadStream(offset, length);
            byte[] buffer = new byte[Math.Min(length, 1000)];
            byte[] expected = content.AsSpan((int)offset, buffer.Length).ToArray();

            long read = AllocationAssert.NothingInSteadyState(() => ReadStartTwice(stream, buffer), "Read(Span<byte>) and ReadAsync(Memory<byte>)");

            Assert.Equal(2L * buffer.Length, read);
            ByteAssert.Equal(expected, buffer, $"offset {offset}, length {length}");
        }
    }

    [Fact]
    public void OpenReadStreamSeesWritesMadeAfterItWasOpened()
    {
        (VideoCache cache, _) = CreateFilled();
        using (cache)
        {
            using Stream single = cache.OpenReadStream(10, 100);
            using Stream multiple = cache.OpenReadStream(SegmentSize - 50, 100);

            byte[] data = TestData.Pattern(100, start: 3);
            cache.Write(10, data);
            cache.Write(SegmentSize - 50, data);

            using var a = new MemoryStream();
            using var b = new MemoryStream();
            single.CopyTo(a);
            multiple.CopyTo(b);
            ByteAssert.Equal(data, a.ToArray());
            ByteAssert.Equal(data, b.ToArray());
        }
    }

    [Fact]
    public void OpenReadStreamOfZeroBytesIsEmpty()
    {
        (VideoCache cache, _) = CreateFilled();
        using (cache)
        {
            using Stream stream = cache.OpenReadStream(Capacity, 0);

            Assert.Equal(0, stream.Length);
            Assert.Equal(-1, stream.ReadByte());
        }
    }

    [Fact]
    public void OpenReadStreamAfterTheStreamIsDisposedCannotRead()
    {
        (VideoCache cache, _) = CreateFilled();
        using (cache)
        {
            Stream single = cache.OpenReadStream(0, 100);
            Stream multiple = cache.OpenReadStream(SegmentSize - 1, 100);
            single.Dispose();
            multiple.Dispose();

            Assert.False(single.CanRead);
            Assert.False(multiple.CanRead);
            Assert.Throws<ObjectDisposedException>(() => single.ReadByte());
            Assert.Throws<ObjectDisposedException>(() => multiple.ReadByte());
        }
    }

    // The array overload is under test here, next to the Memory<byte> one.
#pragma warning disable CA1835
    private static Task<int> ReadArrayAsync(Stream stream, byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        stream.ReadAsync(buffer, offset, count, cancellationToken);
#pragma warning restore CA1835

    // Reads the range's first bytes through the span overload, then again through the memory overload, which
    // completes synchronously: a stream over memory has nothing to wait for.
    private static long ReadStartTwice(Stream stream, byte[] buffer)
    {
        stream.Position = 0;
        long total = stream.Read(buffer.AsSpan());
        stream.Position = 0;
        ValueTask<int> pending = stream.ReadAsync(buffer.AsMemory(), CancellationToken.None);
        return pending.IsCompletedSuccessfully ? total + pending.Result : throw new XunitException("ReadAsync did not complete synchronously.");
    }

    private static (VideoCache Cache, byte[] Content) CreateFilled()
    {
        byte[] content = TestData.Random(Capacity, seed: 51);
        var cache = TestCaches.Video(Capacity, SegmentSize);
        cache.Write(0, content);
        return (cache, content);
    }
}
