using System.Buffers;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using ZeroCopy.Diagnostics;
using ZeroCopy.Internal;
using ZeroCopy.Segments;

namespace ZeroCopy;

// Receive-into and send-from: the cache's ranges as the source or destination of socket and stream I/O.
public sealed partial class VideoCache
{
    /// <summary>
    /// Receives from <paramref name="socket"/> straight into <c>[offset, offset + length)</c>, across segments,
    /// until the range is full or the peer closes the connection. No intermediate buffer, no allocation in steady state.
    /// </summary>
    /// <param name="socket">A connected stream socket.</param>
    /// <param name="offset">Where the first received byte lands.</param>
    /// <param name="length">How many bytes to receive.</param>
    /// <param name="cancellationToken">Cancels the receive.</param>
    /// <returns>The number of bytes received: <paramref name="length"/>, or fewer only when the peer closed the connection early.</returns>
    /// <remarks>
    /// Bytes past the returned count keep their previous contents. On cancellation or error, a prefix of the range may have
    /// been written; the cache stays usable. The receives go through the framework's <see cref="Socket.ReceiveAsync(Memory{byte}, SocketFlags, CancellationToken)"/>,
    /// not the <see cref="SocketLoop"/>.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="socket"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The range is negative or does not fit in <see cref="Capacity"/>.</exception>
    /// <exception cref="NotSupportedException">The cache is read-only (<see cref="IsReadOnly"/>: a file mapped with <see cref="OpenFile"/>).</exception>
    /// <exception cref="ObjectDisposedException">The cache has been disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    /// <exception cref="SocketException">The connection failed.</exception>
    public ValueTask<long> ReceiveIntoAsync(Socket socket, long offset, long length, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(socket);
        return FillAsync(socket, static (socket, piece, token) => socket.ReceiveFullyAsync(piece, token), "receive", offset, length, cancellationToken);
    }

    /// <summary>
    /// Reads from <paramref name="stream"/> (through <see cref="Stream.ReadAsync(Memory{byte}, CancellationToken)"/>)
    /// straight into <c>[offset, offset + length)</c>, across segments, until the range is full or the stream ends.
    /// </summary>
    /// <param name="stream">A readable stream.</param>
    /// <param name="offset">Where the first byte read lands.</param>
    /// <param name="length">How many bytes to read.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The number of bytes read: <paramref name="length"/>, or fewer only when the stream ended early.</returns>
    /// <remarks>Bytes past the returned count keep their previous contents. On cancellation or error, a prefix of the range may have been written; the cache stays usable.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The range is negative or does not fit in <see cref="Capacity"/>.</exception>
    /// <exception cref="NotSupportedException">The cache is read-only (<see cref="IsReadOnly"/>: a file mapped with <see cref="OpenFile"/>).</exception>
    /// <exception cref="ObjectDisposedException">The cache has been disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    public ValueTask<long> ReadIntoAsync(Stream stream, long offset, long length, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return FillAsync(stream, static (stream, piece, token) => stream.ReadFullyAsync(piece, token), "read", offset, length, cancellationToken);
    }

    /// <summary>
    /// Fills <c>[offset, offset + length)</c> piece by piece (one per segment) from <paramref name="source"/>, a use of the
    /// store held throughout, until the range is full or a piece comes back short (the source ended).
    /// </summary>
    /// <param name="source">The socket or stream.</param>
    /// <param name="fill">Fills one piece as far as the source goes (a static lambda: nothing is allocated per call).</param>
    /// <param name="operation">The metrics' name of the operation.</param>
    /// <param name="offset">Where the first byte lands.</param>
    /// <param name="length">How many bytes to fill.</param>
    /// <param name="cancellationToken">Cancels the fill.</param>
    private ValueTask<long> FillAsync<TSource>(TSource source, Func<TSource, Memory<byte>, CancellationToken, ValueTask<int>> fill, string operation, long offset, long length, CancellationToken cancellationToken)
    {
        WritableRanges ranges = GetWritableRanges(offset, length);
        SegmentStore store = AcquireStore();
        return CacheMetrics.Enabled
            ? MeasureAsync(Core(source, fill, ranges, store, cancellationToken), CacheMetrics.Begin(operation))
            : Core(source, fill, ranges, store, cancellationToken);

        [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
        static async ValueTask<long> Core(TSource source, Func<TSource, Memory<byte>, CancellationToken, ValueTask<int>> fill, WritableRanges ranges, SegmentStore store, CancellationToken cancellationToken)
        {
            try
            {
                long total = 0;
                foreach (Memory<byte> piece in ranges)
                {
                    int filled = await fill(source, piece, cancellationToken).ConfigureAwait(false);
                    total += filled;
                    if (filled < piece.Length)
                    {
                        break;
                    }
                }

                return total;
            }
            finally
            {
                store.Release();
            }
        }
    }

    /// <summary>
    /// Sends <c>[offset, offset + length)</c> to <paramref name="socket"/> straight from the cache's memory or file (no copy
    /// in user space), across segments, in pieces of at most <see cref="SocketExtensions.DefaultMaxSendSize"/> bytes so that
    /// a large range does not starve other connections.
    /// </summary>
    /// <param name="socket">A connected stream socket.</param>
    /// <param name="offset">The first byte to send.</param>
    /// <param name="length">How many bytes to send.</param>
    /// <param name="cancellationToken">Cancels the send; part of the range may have been sent.</param>
    /// <returns>A task that completes when the socket has accepted every byte.</returns>
    /// <remarks>The same as <see cref="SendWithHeadAsync"/> with no head and <see cref="SendOptions.Default"/>.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="socket"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The range is negative or does not fit in <see cref="Capacity"/>.</exception>
    /// <exception cref="ObjectDisposedException">The cache or the socket has been disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    /// <exception cref="SocketException">The connection failed.</exception>
    public ValueTask SendToAsync(Socket socket, long offset, long length, CancellationToken cancellationToken = default) =>
        SendWithHeadAsync(socket, ReadOnlyMemory<byte>.Empty, offset, length, null, cancellationToken);

    /// <summary>
    /// Sends <paramref name="head"/> (a response head, a frame header; may be empty), then <c>[offset, offset + length)</c>
    /// straight from the cache's memory or file: no copy in user space, no allocation on the socket loop.
    /// </summary>
    /// <param name="socket">A connected stream socket.</param>
    /// <param name="head">Bytes sent before the range, in the same system call when the range is short; the caller keeps them unchanged until the task completes.</param>
    /// <param name="offset">The first byte of the range.</param>
    /// <param name="length">How many bytes of the cache to send.</param>
    /// <param name="options">The piece size and stall timeout; <see langword="null"/> for <see cref="SendOptions.Default"/>.</param>
    /// <param name="cancellationToken">Cancels the send; part of the head and range may have been sent.</param>
    /// <returns>A task that completes when the socket has accepted every byte.</returns>
    /// <remarks>
    /// <para>
    /// Which system call carries the bytes is the library's decision, the same for every send. On the
    /// <see cref="SocketLoop"/> (Linux, unless switched off), a range of a mapped or shared-memory store longer than 64 KiB
    /// leaves with <c>sendfile(2)</c> (the kernel takes the file's pages; the head goes just before it with
    /// <c>MSG_MORE</c>, so both share the first packet); a shorter range, or one from pinned arrays, leaves with
    /// <c>sendmsg(2)</c>, the head and the range's segments gathered in one call. Through the framework (the loop off, or
    /// not Linux), the head and the range are sent one after the other, and only a file range longer than
    /// <see cref="SocketExtensions.DefaultMaxSendSize"/> leaves from the file (<see cref="Socket.SendPacketsAsync"/>).
    /// </para>
    /// <para>
    /// The cache's memory stays valid until the task completes, even if the cache is disposed meanwhile. On cancellation,
    /// stall or error, a prefix may have been sent: close the connection rather than send on it again.
    /// </para>
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="socket"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The range is negative or does not fit in <see cref="Capacity"/>.</exception>
    /// <exception cref="ObjectDisposedException">The cache or the socket has been disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    /// <exception cref="TimeoutException">The socket accepted no byte for <see cref="SendOptions.StallTimeout"/>.</exception>
    /// <exception cref="SocketException">The connection failed.</exception>
    public ValueTask SendWithHeadAsync(Socket socket, ReadOnlyMemory<byte> head, long offset, long length, SendOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ReadOnlySequence<byte> slice = ReadSlice(offset, length);
        if (length == 0 && head.IsEmpty)
        {
            return cancellationToken.IsCancellationRequested ? ValueTask.FromCanceled(cancellationToken) : default;
        }

        SegmentStore store = AcquireStore();
        ValueTask send = Core(socket, head, slice, store, offset, options ?? SendOptions.Default, cancellationToken);
        return CacheMetrics.Enabled ? MeasureAsync(send, CacheMetrics.Begin("send"), length) : send;

        [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
        static async ValueTask Core(Socket socket, ReadOnlyMemory<byte> head, ReadOnlySequence<byte> slice, SegmentStore store, long offset, SendOptions options, CancellationToken cancellationToken)
        {
            try
            {
                await SocketSender.SendAsync(socket, head, slice, store, offset, fileWrap: 0, options, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                store.Release();
            }
        }
    }

    /// <summary>
    /// Writes <c>[offset, offset + length)</c> to <paramref name="stream"/> straight from the cache's memory, across
    /// segments, in bounded pieces.
    /// </summary>
    /// <param name="stream">A writable stream.</param>
    /// <param name="offset">The first byte to write.</param>
    /// <param name="length">How many bytes to write.</param>
    /// <param name="cancellationToken">Cancels the write; part of the range may have been written.</param>
    /// <returns>A task that completes when the stream has accepted every byte.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The range is negative or does not fit in <see cref="Capacity"/>.</exception>
    /// <exception cref="ObjectDisposedException">The cache has been disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    public ValueTask WriteToAsync(Stream stream, long offset, long length, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ReadOnlySequence<byte> slice = ReadSlice(offset, length);
        SegmentStore store = AcquireStore();
        ValueTask write = Core(stream, slice, store, cancellationToken);
        return CacheMetrics.Enabled ? MeasureAsync(write, CacheMetrics.Begin("write"), length) : write;

        [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
        static async ValueTask Core(Stream stream, ReadOnlySequence<byte> slice, SegmentStore store, CancellationToken cancellationToken)
        {
            try
            {
                await stream.WriteAsync(slice, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                store.Release();
            }
        }
    }

    /// <summary>
    /// Takes a use of the cache's memory for an operation in flight: a <see cref="Dispose"/> meanwhile releases the memory
    /// only when the operation gives the use back, so the library and the kernel never touch released memory.
    /// </summary>
    private SegmentStore AcquireStore()
    {
        SegmentStore store = _chain.Store;
        if (!store.TryAcquire())
        {
            ThrowHelper.ObjectDisposed(this);
        }

        return store;
    }

    // The measured paths, taken only while a listener records the cache's instruments (CacheMetrics.Enabled).
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<long> MeasureAsync(ValueTask<long> transfer, KeyValuePair<string, object?> operation)
    {
        long moved = 0;
        try
        {
            moved = await transfer.ConfigureAwait(false);
            return moved;
        }
        finally
        {
            CacheMetrics.End(operation, moved, transmit: false);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private static async ValueTask MeasureAsync(ValueTask transfer, KeyValuePair<string, object?> operation, long length)
    {
        long moved = 0;
        try
        {
            await transfer.ConfigureAwait(false);
            moved = length;
        }
        finally
        {
            CacheMetrics.End(operation, moved, transmit: true);
        }
    }
}
