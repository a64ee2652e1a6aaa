using System.Buffers;
using System.Runtime.InteropServices;
using ZeroCopy.Tests.Infrastructure;

namespace ZeroCopy.Tests.IO;

/// <summary><see cref="StreamExtensions.WriteAsync(Stream, ReadOnlySequence{byte}, CancellationToken)"/>, recorded write by write.</summary>
public class WriteSequenceTests
{
    private const int MaxPiece = SocketExtensions.DefaultMaxSendSize;

    [Fact]
    public async Task WriteSequenceOfOneSmallSegmentIsOneWriteOfTheSameMemory()
    {
        byte[] data = TestData.Pattern(1000);
        var stream = new RecordingWriteStream();

        await stream.WriteAsync(new ReadOnlySequence<byte>(data), CancellationToken.None);

        Assert.Single(stream.Writes);
        MemoryAssert.Same(data, stream.Sources[0]);
        ByteAssert.Equal(data, stream.WrittenBytes);
    }

    [Fact]
    public async Task WriteSequenceWritesEachSegmentFromItsOwnMemoryInOrder()
    {
        byte[][] segments = [TestData.Pattern(10), TestData.Pattern(1, start: 10), TestData.Pattern(4093, start: 11)];
        var stream = new RecordingWriteStream();

        await stream.WriteAsync(TestSequence.Create(segments), CancellationToken.None);

        Assert.Equal(3, stream.Writes.Count);
        for (int i = 0; i < segments.Length; i++)
        {
            MemoryAssert.Same(segments[i], stream.Sources[i]);
            ByteAssert.Equal(segments[i], stream.Writes[i]);
        }
    }

    [Theory]
    [InlineData(new[] { MaxPiece + 1 }, new[] { MaxPiece, 1 })]
    [InlineData(new[] { (3 * MaxPiece) - 5 }, new[] { MaxPiece, MaxPiece, MaxPiece - 5 })]
    [InlineData(new[] { 10, (2 * MaxPiece) + 3 }, new[] { 10, MaxPiece, MaxPiece, 3 })]
    [InlineData(new[] { MaxPiece, MaxPiece }, new[] { MaxPiece, MaxPiece })]
    public async Task WriteSequenceSplitsLargeSegmentsIntoPiecesOfAtMostTheMaxSendSize(int[] segmentLengths, int[] expectedWrites)
    {
        byte[] data = TestData.Random(segmentLengths.Sum(), seed: 71);
        var stream = new RecordingWriteStream();

        await stream.WriteAsync(TestSequence.Split(data, segmentLengths), CancellationToken.None);

        Assert.Equal(expectedWrites, stream.Writes.Select(w => w.Length));
        ByteAssert.Equal(data, stream.WrittenBytes);
    }

    [Fact]
    public async Task WriteSequenceOfNothingWritesNothing()
    {
        var stream = new RecordingWriteStream();

        ValueTask write = stream.WriteAsync(ReadOnlySequence<byte>.Empty, CancellationToken.None);

        Assert.True(write.IsCompletedSuccessfully);
        await write;
        await stream.WriteAsync(TestSequence.Create([], []), CancellationToken.None);
        Assert.All(stream.Writes, w => Assert.Empty(w));
    }

    [Fact]
    public async Task WriteSequenceWithACanceledTokenThrowsAndWritesNothing()
    {
        var stream = new RecordingWriteStream();
        var canceled = new CancellationToken(canceled: true);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await stream.WriteAsync(ReadOnlySequence<byte>.Empty, canceled));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await stream.WriteAsync(new ReadOnlySequence<byte>(new byte[10]), canceled));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await stream.WriteAsync(TestSequence.Create(new byte[10], new byte[10]), canceled));

        Assert.Empty(stream.Writes);
    }

    [Fact]
    public async Task WriteSequenceToAMemoryStreamWritesEveryByte()
    {
        byte[] data = TestData.Random((2 * MaxPiece) + 12_345, seed: 72);
        using var stream = new MemoryStream();

        await stream.WriteAsync(TestSequence.Split(data, 4093, MaxPiece + 7), CancellationToken.None);

        ByteAssert.Equal(data, stream.ToArray());
    }

    [Fact]
    public void RecordingStreamSeesArrayBackedMemory()
    {
        // Guards the identity checks above: a sequence over arrays must expose them through TryGetArray.
        byte[] data = new byte[3];
        Assert.True(MemoryMarshal.TryGetArray<byte>(new ReadOnlySequence<byte>(data).First, out ArraySegment<byte> segment));
        Assert.Same(data, segment.Array);
    }
}
