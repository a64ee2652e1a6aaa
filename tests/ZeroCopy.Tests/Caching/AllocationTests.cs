using System.Buffers;
using System.Diagnostics;
using System.Reflection;
using System.Runtime.CompilerServices;
using ZeroCopy.Tests.Infrastructure;

namespace ZeroCopy.Tests.Caching;

/// <summary>
/// The hot paths allocate nothing once warm. Each test counts the bytes allocated by its own thread across many
/// calls (<see cref="GC.GetAllocatedBytesForCurrentThread"/>), so tests running in parallel do not disturb it.
/// </summary>
public class AllocationTests
{
    private const int SegmentSize = VideoCache.MinSegmentSize;
    private const int Calls = 10_000;

    [Fact]
    public void ReadSliceAllocatesNothingInOneSegmentOrAcrossSegments()
    {
        using var cache = TestCaches.Video(8 * SegmentSize, SegmentSize);

        long checksum = AllocationAssert.NothingInSteadyState(() => ReadSlices(cache, Calls), $"{Calls} x ReadSlice");

        Assert.Equal(Calls * (100L + (3 * SegmentSize) + (8 * SegmentSize)), checksum);
    }

    [Fact]
    public void TryReadMemoryAndTryGetMemoryAllocateNothing()
    {
        using var cache = TestCaches.Video(8 * SegmentSize, SegmentSize);

        long checksum = AllocationAssert.NothingInSteadyState(() => GetMemories(cache, Calls), $"{Calls} x TryReadMemory/TryGetMemory/GetMemory");

        Assert.Equal(Calls * (100L + 200 + 300 + 2), checksum);
    }

    [Fact]
    public void GetWritableRangesEnumerationAndWriteAllocateNothing()
    {
        using var cache = TestCaches.Video(8 * SegmentSize, SegmentSize);
        byte[] source = TestData.Pattern(SegmentSize + 10);

        long checksum = AllocationAssert.NothingInSteadyState(() => EnumerateRanges(cache, source, Calls), $"{Calls} x GetWritableRanges enumeration/Write");

        Assert.Equal(Calls * (8L * SegmentSize), checksum);
        ByteAssert.Equal(source, cache.ReadSlice(SegmentSize - 5, source.Length));
    }

    [Fact]
    public async Task ReceiveIntoAsyncAllocatesNothingWhenTheDataIsAlreadyThere()
    {
        // A receive whose bytes are already queued on the socket completes synchronously; that path must allocate
        // nothing at all: no state machine box, no task, no event args. (When a receive has to wait, the pooled
        // state machines make it amortized-free, but a sound per-thread count is impossible across threads: that
        // case is measured by the benchmarks.)
        using var timeout = TestTimeout.CreateSource();
        using LoopbackSocketPair pair = await LoopbackSocketPair.ConnectAsync(timeout.Token);
        using var cache = TestCaches.Video(4 * SegmentSize, SegmentSize);
        byte[] chunk = TestData.Pattern(1500, start: 3);
        const long Offset = SegmentSize - 700; // every receive crosses a segment boundary
        const int Receives = 500;

        // Each round returns the bytes received, or -1 if any receive went asynchronous (it must not: its data was
        // already queued).
        long received = await NothingAllocatedOnADedicatedThreadAsync(
            () => ReceiveSynchronously(pair, cache, chunk, Offset, Receives, timeout.Token), Receives, "ReceiveIntoAsync", timeout.Token);

        Assert.True(received >= 0, "a receive did not complete synchronously although its data was queued");
        Assert.Equal((long)Receives * chunk.Length, received);
        chunk[0] = (Receives - 1) % 251;
        ByteAssert.Equal(chunk, cache.ReadSlice(Offset, chunk.Length));
    }

    [Fact]
    public async Task SendToAsyncAllocatesNothingWhenTheSocketHasRoom()
    {
        // A send the socket takes at once completes synchronously and must allocate nothing, on either store (the suite
        // runs again with shared memory, whose ranges of one piece or less go out with send(2) from the mapping).
        using var timeout = TestTimeout.CreateSource();
        using LoopbackSocketPair pair = await LoopbackSocketPair.ConnectAsync(timeout.Token);
        using var cache = TestCaches.Video(4 * SegmentSize, SegmentSize);
        byte[] content = TestData.Random((int)cache.Capacity, seed: 5);
        cache.Write(0, content);
        const long Offset = SegmentSize - 700; // every send crosses a segment boundary
        const int Length = 1500;
        const int Sends = 500;
        byte[] received = new byte[Length];

        long sent = await NothingAllocatedOnADedicatedThreadAsync(
            () => SendSynchronously(pair, cache, Offset, Length, received, Sends, timeout.Token), Sends, "SendToAsync", timeout.Token);

        Assert.True(sent >= 0, "a send did not complete synchronously although the socket had room");
        Assert.Equal((long)Sends * Length, sent);
        ByteAssert.Equal(content.AsSpan((int)Offset, Length), received);
    }

    /// <summary>
    /// Counts <paramref name="round"/>'s allocations on a dedicated thread, with no await between the start and end of the
    /// count, and asserts there are none in steady state. A Debug build of the library compiles async state machines as
    /// classes, allocated per call: there the promise is only that the cost per call stays that small and constant.
    /// </summary>
    private static Task<long> NothingAllocatedOnADedicatedThreadAsync(Func<long> round, int calls, string operation, CancellationToken cancellationToken)
    {
        bool optimized = typeof(VideoCache).Assembly.GetCustomAttribute<DebuggableAttribute>()?.IsJITOptimizerDisabled != true;
        return Task.Factory.StartNew(
            () => optimized
                ? AllocationAssert.NothingInSteadyState(round, $"{calls} x {operation} (completing synchronously)")
                : AllocationAssert.AtMostInSteadyState(round, calls * 512L, $"{calls} x {operation} (completing synchronously, Debug build of the library)"),
            cancellationToken,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default).WaitAsync(cancellationToken);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static long SendSynchronously(
        LoopbackSocketPair pair, VideoCache cache, long offset, int length, byte[] received, int count, CancellationToken cancellationToken)
    {
        bool asynchronous = false;
        long sent = 0;
        for (int i = 0; i < count; i++)
        {
            ValueTask send = cache.SendToAsync(pair.Server, offset, length, cancellationToken);
            if (!send.IsCompletedSuccessfully)
            {
                asynchronous = true;
                send.AsTask().GetAwaiter().GetResult();
            }

            sent += length;
            for (int got = 0; got < length;)
            {
                got += pair.Client.Receive(received.AsSpan(got));
            }
        }

        return asynchronous ? -1 : sent;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static long ReceiveSynchronously(
        LoopbackSocketPair pair, VideoCache cache, byte[] chunk, long offset, int count, CancellationToken cancellationToken)
    {
        bool asynchronous = false;
        long received = 0;
        for (int i = 0; i < count; i++)
        {
            chunk[0] = (byte)(i % 251);
            int sent = pair.Client.Send(chunk);
            if (sent != chunk.Length)
            {
                throw new InvalidOperationException($"A blocking send sent {sent} of {chunk.Length} bytes.");
            }

            LoopbackSocketPair.WaitUntilAvailable(pair.Server, chunk.Length);
            ValueTask<long> receive = cache.ReceiveIntoAsync(pair.Server, offset, chunk.Length, cancellationToken);
            if (!receive.IsCompletedSuccessfully)
            {
                asynchronous = true;
                received += receive.AsTask().GetAwaiter().GetResult();
                continue;
            }

            received += receive.Result;
        }

        return asynchronous ? -1 : received;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static long ReadSlices(VideoCache cache, int count)
    {
        long total = 0;
        for (int i = 0; i < count; i++)
        {
            total += cache.ReadSlice(10, 100).Length;
            ReadOnlySequence<byte> across = cache.ReadSlice(SegmentSize - 7, 3 * SegmentSize);
            total += across.Length;
            total += cache.ReadSlice(0, cache.Capacity).Length;
        }

        return total;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static long GetMemories(VideoCache cache, int count)
    {
        long total = 0;
        for (int i = 0; i < count; i++)
        {
            if (cache.TryReadMemory(SegmentSize + 1, 100, out ReadOnlyMemory<byte> read))
            {
                total += read.Length;
            }

            if (cache.TryGetMemory(2 * SegmentSize, 200, out Memory<byte> write))
            {
                total += write.Length;
            }

            if (!cache.TryGetMemory(SegmentSize - 1, 2, out _))
            {
                total += 2; // crossing a boundary: false, still no allocation
            }

            total += cache.GetMemory(5, 300).Length;
        }

        return total;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static long EnumerateRanges(VideoCache cache, byte[] source, int count)
    {
        long total = 0;
        for (int i = 0; i < count; i++)
        {
            foreach (Memory<byte> piece in cache.GetWritableRanges(0, cache.Capacity))
            {
                total += piece.Length;
            }

            cache.Write(SegmentSize - 5, source);
        }

        return total;
    }
}
