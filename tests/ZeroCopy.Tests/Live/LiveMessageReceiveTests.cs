using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ZeroCopy.Tests.Infrastructure;

namespace ZeroCopy.Tests.Live;

// LiveCache.ReceiveMessageInto: a datagram transport's receive (SRT, UDP) writing straight into the ring.
public class LiveMessageReceiveTests
{
    private const int SrtMessage = 1316; // seven MPEG-TS packets: what SRT encoders send per datagram
    private const int SrtMaxMessage = 1456;

    private static LiveCache NewCache(long capacity, int segmentSize) =>
        new(new LiveCacheOptions { Capacity = capacity, Memory = TestCaches.LiveMemory(capacity), SegmentSize = segmentSize });

    /// <summary>A transport double: hands out messages from a list, one per receive, 0 when none is left.</summary>
    private sealed class MessageSource(IReadOnlyList<byte[]> messages)
    {
        private int _next;

        public int Calls { get; private set; }

        public static int Receive(Span<byte> destination, MessageSource source)
        {
            source.Calls++;
            if (source._next == source.Messages.Count)
            {
                return 0;
            }

            byte[] message = source.Messages[source._next++];
            message.CopyTo(destination); // a datagram socket's recv: the kernel's copy, into the ring
            return message.Length;
        }

        private IReadOnlyList<byte[]> Messages => messages;
    }

    private static byte[][] RandomMessages(int count, int seed)
    {
        var random = new Random(seed);
        var messages = new byte[count][];
        for (int i = 0; i < count; i++)
        {
            messages[i] = new byte[188 * random.Next(1, 8)];
            random.NextBytes(messages[i]);
        }

        return messages;
    }

    [Fact]
    public async Task AMessageIsReceivedIntoTheRingRightAfterTheBytesBeforeIt()
    {
        using LiveCache cache = NewCache(64 * 1024, 64 * 1024);
        using LiveReader reader = cache.CreateReader();
        cache.Write(new byte[188]);
        LiveReadResult first = await reader.ReadAsync().Within();
        ReadOnlyMemory<byte> before = first.Buffer.First; // still leased: the reader has not advanced

        long offset = -1;
        int received = cache.ReceiveMessageInto(SrtMaxMessage, (destination, previous) =>
        {
            offset = (long)Unsafe.ByteOffset(ref MemoryMarshal.GetReference(previous.Span), ref MemoryMarshal.GetReference(destination));
            destination[..SrtMessage].Fill(0x47);
            return SrtMessage;
        }, before);

        Assert.Equal(SrtMessage, received);
        Assert.Equal(188, offset); // the destination is the ring's memory, 188 bytes after the first write
        Assert.Equal(0, cache.StagedByteCount);
        reader.AdvanceTo(188);
        LiveReadResult second = await reader.ReadAsync().Within();
        Assert.Equal(Enumerable.Repeat((byte)0x47, SrtMessage), second.Buffer.ToArray());
    }

    [Theory]
    [InlineData(64 * 1024, 64 * 1024)] // one segment: the wrap point is the only boundary
    [InlineData(64 * 1024, 4096)]      // segments shorter than a few messages: a boundary every few messages
    public async Task MessagesReadBackByteForByteOverManyLapsOfTheRing(long capacity, int segmentSize)
    {
        using LiveCache cache = NewCache(capacity, segmentSize);
        using LiveReader reader = cache.CreateReader();
        byte[][] messages = RandomMessages(1000, seed: 7); // about 10 laps
        var source = new MessageSource(messages);
        var received = new ArrayBufferWriter<byte>();
        long total = 0;
        int count;
        while ((count = cache.ReceiveMessageInto(SrtMaxMessage, MessageSource.Receive, source)) > 0)
        {
            total += count;
            LiveReadResult result = await reader.ReadAsync().Within(); // keeps up: never lapped
            foreach (ReadOnlyMemory<byte> piece in result.Buffer)
            {
                received.Write(piece.Span);
            }

            reader.AdvanceTo(result.Position + result.Buffer.Length);
        }

        Assert.Equal(messages.SelectMany(m => m).ToArray(), received.WrittenSpan.ToArray());
        Assert.Equal(total, cache.WritePosition);
        Assert.Equal(0, reader.SkipCount);
        long boundaries = total / segmentSize + 1;
        long bound = boundaries * 2 * SrtMaxMessage;
        Assert.True(cache.StagedByteCount < bound, $"{cache.StagedByteCount} bytes staged, under 2 messages per boundary ({bound}) expected");
        Assert.True(cache.StagedByteCount > 0, "no message met a boundary: the test does not cover the staging path");
    }

    [Fact]
    public void WhenTheRingIsAlmostFullItReclaimsSoTheMessageStillLandsInPlace()
    {
        // One segment, second lap: the head is 100 bytes short of the oldest intact position, with the segment's rest
        // long enough. Without reclaiming first the writable slice would be 100 bytes and the message staged.
        using LiveCache cache = NewCache(64 * 1024, 64 * 1024);
        cache.Write(new byte[64 * 1024 + 8 * 1024 - 100]);

        int received = cache.ReceiveMessageInto(SrtMaxMessage, static (destination, _) => SrtMessage, 0);

        Assert.Equal(SrtMessage, received);
        Assert.Equal(0, cache.StagedByteCount);
        Assert.Equal(64 * 1024 + 8 * 1024 - 100 + SrtMessage, cache.WritePosition);
    }

    [Fact]
    public void AReceiveOfNothingPublishesNothing()
    {
        using LiveCache cache = NewCache(64 * 1024, 4096);

        Assert.Equal(0, cache.ReceiveMessageInto(SrtMaxMessage, static (_, _) => 0, 0));
        Assert.Equal(0, cache.WritePosition);
        cache.Write(new byte[10]); // the writer is free again
        Assert.Equal(10, cache.WritePosition);
    }

    [Fact]
    public void AReceiveThatThrowsPublishesNothingAndLeavesTheWriterUsable()
    {
        using LiveCache cache = NewCache(64 * 1024, 4096);

        Assert.Throws<IOException>(() => cache.ReceiveMessageInto<int>(SrtMaxMessage, static (_, _) => throw new IOException("link lost"), 0));

        Assert.Equal(0, cache.WritePosition);
        Assert.Equal(SrtMessage, cache.ReceiveMessageInto(SrtMaxMessage, static (_, _) => SrtMessage, 0));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(SrtMaxMessage + 1)]
    public void ACountOutsideTheDestinationIsRejectedAndNothingIsPublished(int reported)
    {
        using LiveCache cache = NewCache(64 * 1024, 64 * 1024);

        ArgumentOutOfRangeException error = Assert.Throws<ArgumentOutOfRangeException>(() => cache.ReceiveMessageInto(SrtMaxMessage, static (_, count) => count, reported));

        Assert.Contains($"{reported} bytes into a destination of {SrtMaxMessage}", error.Message);
        Assert.Equal(0, cache.WritePosition);
    }

    [Fact]
    public void AMessageSizeOverAnEighthOfTheRingIsRejected()
    {
        using LiveCache cache = NewCache(8 * 1024, 8 * 1024);

        Assert.Throws<ArgumentOutOfRangeException>(() => cache.ReceiveMessageInto(1025, static (_, _) => 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => cache.ReceiveMessageInto(0, static (_, _) => 0, 0));
        Assert.Throws<ArgumentNullException>(() => cache.ReceiveMessageInto<int>(100, null!, 0));
    }

    [Fact]
    public void ReceivingMessagesAllocatesNothingOnceWarm()
    {
        using LiveCache cache = NewCache(256 * 1024, 16 * 1024);
        MessageReceiver<int> receive = static (destination, size) => size;
        for (int i = 0; i < 1000; i++)
        {
            cache.ReceiveMessageInto(SrtMaxMessage, receive, SrtMessage); // laps, staging buffer allocated
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++)
        {
            cache.ReceiveMessageInto(SrtMaxMessage, receive, SrtMessage);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated == 0, $"{allocated} bytes allocated over 10,000 message receives");
    }
}
