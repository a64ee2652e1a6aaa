using System.Net.Sockets;
using System.Runtime.CompilerServices;
using ZeroCopy.Internal;

namespace ZeroCopy;

// The single writer's calls: receive, read or copy into the next writable slice, then publish
// (LiveCache.Publication.cs); complete the stream.
public sealed partial class LiveCache
{
    /// <summary>
    /// Receives once from <paramref name="socket"/> straight into the ring's next writable slice (up to
    /// <paramref name="maxBytes"/>, never past a segment end, the wrap point or the region readers may still use), then
    /// publishes the bytes to readers. No copy, no intermediate buffer, no allocation in steady state.
    /// </summary>
    /// <param name="socket">A connected stream socket: the ingest.</param>
    /// <param name="maxBytes">The most bytes to take in this receive; positive. 64 KiB to 1 MiB suits most ingests.</param>
    /// <param name="cancellationToken">Cancels the receive; nothing is published then.</param>
    /// <returns>The number of bytes received and published; 0 when the peer closed the connection (then call <see cref="Complete"/>).</returns>
    /// <remarks>
    /// The writer never waits for a reader: when the ring is full it reclaims the oldest eighth, cutting off any reader
    /// still using it, before receiving. Cost: O(1) per call plus, once per eighth of the ring, one pass over the readers.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="socket"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxBytes"/> is not positive.</exception>
    /// <exception cref="InvalidOperationException">
    /// Another writer call is in progress, or the stream was completed, or the sync point detector reported an invalid
    /// sync point (the stream then ends, faulted with this exception, since the detector's state cannot be rewound).
    /// </exception>
    /// <exception cref="ObjectDisposedException">The cache has been disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    /// <exception cref="SocketException">The connection failed.</exception>
    public ValueTask<int> ReceiveIntoAsync(Socket socket, int maxBytes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBytes);
        EnterWriter();
        Memory<byte> destination;
        ValueTask<int> receive;
        try
        {
            destination = GetWritableMemory(maxBytes);
            receive = socket.ReceiveAsync(destination, SocketFlags.None, cancellationToken);
        }
        catch
        {
            ExitWriter();
            throw;
        }

        return receive.IsCompletedSuccessfully ? new ValueTask<int>(CommitAndExit(destination, receive.Result)) : CommitWhenDoneAsync(receive, destination);
    }

    /// <summary>
    /// Reads once from <paramref name="stream"/> (<see cref="Stream.ReadAsync(Memory{byte}, CancellationToken)"/>) straight
    /// into the ring's next writable slice, then publishes the bytes; otherwise like <see cref="ReceiveIntoAsync"/>.
    /// </summary>
    /// <param name="stream">A readable stream: the ingest.</param>
    /// <param name="maxBytes">The most bytes to take in this read; positive.</param>
    /// <param name="cancellationToken">Cancels the read; nothing is published then.</param>
    /// <returns>The number of bytes read and published; 0 at the end of the stream (then call <see cref="Complete"/>).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxBytes"/> is not positive.</exception>
    /// <exception cref="InvalidOperationException">
    /// Another writer call is in progress, or the stream was completed, or the sync point detector reported an invalid
    /// sync point (the stream then ends, faulted with this exception, since the detector's state cannot be rewound).
    /// </exception>
    /// <exception cref="ObjectDisposedException">The cache has been disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    public ValueTask<int> ReadIntoAsync(Stream stream, int maxBytes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBytes);
        EnterWriter();
        Memory<byte> destination;
        ValueTask<int> read;
        try
        {
            destination = GetWritableMemory(maxBytes);
            read = stream.ReadAsync(destination, cancellationToken);
        }
        catch
        {
            ExitWriter();
            throw;
        }

        return read.IsCompletedSuccessfully ? new ValueTask<int>(CommitAndExit(destination, read.Result)) : CommitWhenDoneAsync(read, destination);
    }

    /// <summary>
    /// Receives one message from a message-oriented transport the library does not know (SRT, RIST, UDP: each receive
    /// delivers one whole datagram and drops what does not fit) straight into the ring's next writable slice, then
    /// publishes it. <paramref name="receive"/> is called once, synchronously, with a destination of at least
    /// <paramref name="maxMessageSize"/> bytes, and returns how many it wrote there.
    /// </summary>
    /// <typeparam name="TState">What <paramref name="receive"/> needs (the transport's socket); passed through, so the call allocates nothing.</typeparam>
    /// <param name="maxMessageSize">The largest message the transport delivers (1456 for SRT's live mode); positive, at most an eighth of the capacity.</param>
    /// <param name="receive">Receives into the destination it is given and returns the byte count; 0 when nothing was
    /// received (the transport would block, or ended: the caller tells which through <paramref name="state"/>).</param>
    /// <param name="state">Passed to <paramref name="receive"/>.</param>
    /// <returns>The number of bytes received and published; 0 when <paramref name="receive"/> returned 0.</returns>
    /// <remarks>
    /// Where the ring is full it reclaims before receiving, early enough that a whole message fits, as
    /// <see cref="ReceiveIntoAsync"/> does. Where the ring wraps (and at a segment end) a message may not fit before the
    /// boundary, and a datagram cannot be split across two receives: a message that starts fewer than
    /// <paramref name="maxMessageSize"/> bytes before a boundary is received into a buffer of the cache (allocated once, on
    /// first need) and copied into the ring. That is under 2 x <paramref name="maxMessageSize"/> bytes copied per segment
    /// per lap of the ring (about 3 KB of a 64 MiB segment for SRT); every other message lands in place. Cost otherwise:
    /// O(1), no copy, no allocation. If <paramref name="receive"/> throws, nothing is
    /// published and the exception propagates; the writer can call again.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="receive"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxMessageSize"/> is not positive or more than an eighth of the capacity, or <paramref name="receive"/> returned a negative count or more than its destination.</exception>
    /// <exception cref="InvalidOperationException">
    /// Another writer call is in progress, or the stream was completed, or the sync point detector reported an invalid
    /// sync point (the stream then ends, faulted with this exception, since the detector's state cannot be rewound).
    /// </exception>
    /// <exception cref="ObjectDisposedException">The cache has been disposed.</exception>
    public int ReceiveMessageInto<TState>(int maxMessageSize, MessageReceiver<TState> receive, TState state)
    {
        ArgumentNullException.ThrowIfNull(receive);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxMessageSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxMessageSize, _reuseQuantum);
        EnterWriter();
        try
        {
            ReclaimUntilRoomFor(maxMessageSize);
            Memory<byte> destination = GetWritableMemory(maxMessageSize);
            if (destination.Length == maxMessageSize)
            {
                int count = CheckedCount(receive(destination.Span, state), destination.Length);
                Commit(destination, count);
                return count;
            }

            // Fewer bytes than a message before the wrap point or the segment's end: stage this one message.
            byte[] staging = _messageStaging is { } existing && existing.Length >= maxMessageSize ? existing : (_messageStaging = new byte[maxMessageSize]);
            int staged = CheckedCount(receive(staging.AsSpan(0, maxMessageSize), state), maxMessageSize);
            Interlocked.Add(ref _stagedBytes, staged);
            WriteCore(staging.AsSpan(0, staged));
            return staged;
        }
        finally
        {
            ExitWriter();
        }
    }

    /// <summary>
    /// Copies <paramref name="data"/> into the ring and publishes it, in as many pieces as segment ends, the wrap point and
    /// the reclaiming of the ring require. This is the one copy: the caller's bytes into the ring.
    /// </summary>
    /// <param name="data">The bytes to append to the stream; any length (longer than the ring is allowed, readers then only see the end).</param>
    /// <remarks>Never waits for a reader. Cost: O(<paramref name="data"/>.Length), plus one pass over the readers per eighth of the ring written.</remarks>
    /// <exception cref="InvalidOperationException">
    /// Another writer call is in progress, or the stream was completed, or the sync point detector reported an invalid
    /// sync point (the stream then ends, faulted with this exception, since the detector's state cannot be rewound).
    /// </exception>
    /// <exception cref="ObjectDisposedException">The cache has been disposed.</exception>
    public void Write(ReadOnlySpan<byte> data)
    {
        EnterWriter();
        try
        {
            WriteCore(data);
        }
        finally
        {
            ExitWriter();
        }
    }

    /// <summary>Copies and publishes <paramref name="data"/> piece by piece; the caller holds the writer flag.</summary>
    private void WriteCore(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            Memory<byte> destination = GetWritableMemory(data.Length);
            data[..destination.Length].CopyTo(destination.Span);
            Commit(destination, destination.Length);
            data = data[destination.Length..];
        }
    }

    /// <summary>Reclaims eighths of the ring until <paramref name="bytes"/> fit before the oldest intact position.</summary>
    private void ReclaimUntilRoomFor(int bytes)
    {
        while (_oldest + _capacity - _head < bytes)
        {
            ReclaimNextRegion();
        }
    }

    private static int CheckedCount(int count, int destinationLength)
    {
        if ((uint)count > (uint)destinationLength)
        {
            ThrowHelper.ArgumentOutOfRange("receive", count, $"a receive reported {count} bytes into a destination of {destinationLength}");
        }

        return count;
    }

    /// <summary>
    /// Ends the stream. Readers first receive every byte already published (including a trailing partial unit), then see
    /// <see cref="LiveReadResult.IsCompleted"/> — or, when <paramref name="error"/> is given, an <see cref="IOException"/>
    /// whose inner exception is <paramref name="error"/>. Calling it again has no effect.
    /// </summary>
    /// <param name="error">Why the ingest failed, or <see langword="null"/> for a normal end.</param>
    /// <exception cref="InvalidOperationException">A writer call is in progress (cancel it first).</exception>
    /// <exception cref="ObjectDisposedException">The cache has been disposed.</exception>
    public void Complete(Exception? error = null)
    {
        if (Interlocked.CompareExchange(ref _writerActive, 1, 0) != 0)
        {
            ThrowHelper.ConcurrentWriter();
        }

        try
        {
            ThrowIfDisposed();
            CompleteCore(error);
        }
        finally
        {
            ExitWriter();
        }
    }

    /// <summary>Ends the stream; the caller holds the writer flag.</summary>
    private void CompleteCore(Exception? error)
    {
        if (_completion is not null)
        {
            return;
        }

        // The final readable end first, then the completion: a reader that sees the completion sees the final end.
        Volatile.Write(ref _readableEnd, _head);
        Volatile.Write(ref _completion, new LiveCompletion(error));
        Interlocked.Increment(ref _version);
        _waitQueue.ScheduleWake();
    }

    private void EnterWriter()
    {
        if (Interlocked.CompareExchange(ref _writerActive, 1, 0) != 0)
        {
            ThrowHelper.ConcurrentWriter();
        }

        if (Volatile.Read(ref _disposed) != 0 || _completion is not null)
        {
            ThrowEnterWriterFailed();
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowEnterWriterFailed()
    {
        ExitWriter();
        ThrowIfDisposed();
        ThrowHelper.WriterCompleted(_head);
    }

    private void ExitWriter() => Volatile.Write(ref _writerActive, 0);

    /// <summary>How many bytes <see cref="ReceiveMessageInto"/> received into its staging buffer (near a boundary) rather than in place.</summary>
    internal long StagedByteCount => Interlocked.Read(ref _stagedBytes);

    private int CommitAndExit(Memory<byte> destination, int count)
    {
        try
        {
            Commit(destination, count);
            return count;
        }
        finally
        {
            ExitWriter();
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> CommitWhenDoneAsync(ValueTask<int> operation, Memory<byte> destination)
    {
        try
        {
            int count = await operation.ConfigureAwait(false);
            Commit(destination, count);
            return count;
        }
        finally
        {
            ExitWriter();
        }
    }
}
