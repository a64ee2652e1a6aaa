using System.Buffers;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using ZeroCopy.Internal;
using ZeroCopy.Segments;

namespace ZeroCopy;

// Sending: from the ring to a socket in bounded pieces through the library's one send path (SocketSender), which copies
// them with sendmsg(2) or, from a shared-memory ring on the socket loop, hands their pages to sendfile(2); the lease
// moves on after each piece.
public sealed partial class LiveReader
{
    /// <summary>
    /// Waits for data past <see cref="Position"/>, then sends everything available — the sync point's preamble first, when
    /// the reader starts at one — straight from the ring to <paramref name="socket"/>, in pieces of whole units of at most
    /// <see cref="SocketExtensions.DefaultMaxSendSize"/> bytes, advancing after each piece.
    /// </summary>
    /// <param name="socket">A connected stream socket (TCP): the viewer. The caller owns it.</param>
    /// <param name="cancellationToken">Cancels the wait or the send.</param>
    /// <returns>The number of bytes sent (preamble included); 0 when the stream completed and the reader has sent everything.</returns>
    /// <remarks>
    /// <para>
    /// No copy in user space, no allocation in steady state. The reader leases the bytes being sent, moving the lease
    /// forward as each piece is accepted by the socket. If the writer must reuse a leased region while a send is still in
    /// flight, it shuts the socket down (<see cref="Socket.Shutdown"/>, both directions) before touching the region, so the
    /// kernel can no longer copy from it, and this call throws <see cref="LiveReaderLappedException"/>. With a shared-memory
    /// ring (<see cref="CacheMemory.SharedMemory"/>), whose pieces may have gone out with <c>sendfile(2)</c>, the writer also
    /// detaches the region's pages before reusing them, so the pages the kernel still holds keep their bytes. Bytes the peer
    /// received before that were intact.
    /// </para>
    /// <para>
    /// Under <see cref="LaggingReaderPolicy.SkipToSyncPoint"/>, a send stops early, after a piece, when the reader has
    /// fallen more than seven eighths of the ring behind meanwhile: the next call skips it forward rather than let the
    /// writer cut it off mid-send.
    /// </para>
    /// <para>
    /// On cancellation or a socket error, part of the data may have been sent and <see cref="Position"/> counts only whole
    /// pieces: close the connection rather than send again on it.
    /// </para>
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="socket"/> is <see langword="null"/>.</exception>
    /// <exception cref="LiveReaderLappedException">
    /// The reader was cut off (lapped mid-send, or lagging under <see cref="LaggingReaderPolicy.Disconnect"/>); the socket
    /// has been shut down.
    /// </exception>
    /// <exception cref="IOException">The writer completed the stream with an error (the inner exception) and the reader has sent everything before it.</exception>
    /// <exception cref="InvalidOperationException">Another <see cref="ReadAsync"/> or <see cref="SendToAsync"/> is in progress.</exception>
    /// <exception cref="ObjectDisposedException">The reader or the cache has been disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    /// <exception cref="SocketException">The connection failed for another reason (for example, the viewer reset it).</exception>
    public ValueTask<long> SendToAsync(Socket socket, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(socket);
        EnterOperation();
        return SendCoreAsync(socket, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<long> SendCoreAsync(Socket socket, CancellationToken cancellationToken)
    {
        SegmentStore store = _cache.Store;
        if (!store.TryAcquire())
        {
            EndSend();
            ExitOperation();
            ThrowHelper.ObjectDisposed(_cache);
        }

        try
        {
            ReleaseLease();
            long sent = 0;
            while (true)
            {
                LiveReadResult result = !cancellationToken.IsCancellationRequested && TryRead(socket, out LiveReadResult available)
                    ? available
                    : await WaitAndReadAsync(socket, exitOperation: false, cancellationToken).ConfigureAwait(false);
                if (result.Buffer.IsEmpty)
                {
                    return sent; // Completed and drained.
                }

                bool isPreamble = result.Position < _preambleEnd;
                sent += await SendPiecesAsync(socket, result.Buffer, result.Position, isPreamble, cancellationToken).ConfigureAwait(false);

                // After a preamble, go on to the stream's bytes in the same call.
                if (!isPreamble)
                {
                    ReleaseLease(); // Throws if the writer cut the reader off before it let go.
                    return sent;
                }
            }
        }
        finally
        {
            EndSend();
            ExitOperation();
            store.Release();
        }
    }

    /// <summary>
    /// Sends the buffer in pieces of whole units, moving the position and the lease after each; stops early, at a piece
    /// boundary, when the reader has fallen so far behind that it should skip (so that it skips between sends rather than
    /// being cut off in the middle of one). Returns the bytes sent. (A range of <see cref="LiveCache.SendRangeAsync"/> is sent
    /// whole or not at all, under its own light lease: <c>LiveRangeLease.cs</c>.)
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<long> SendPiecesAsync(Socket socket, ReadOnlySequence<byte> buffer, long position, bool isPreamble, CancellationToken cancellationToken)
    {
        long start = position;
        try
        {
            while (!buffer.IsEmpty)
            {
                if (!isPreamble && position > start && _cache.LaggingReaderPolicy == LaggingReaderPolicy.SkipToSyncPoint &&
                    _cache.ReadableEnd - position > _cache.LaggingDistance)
                {
                    break;
                }

                long length = Math.Min(buffer.Length, _cache.SendPieceSize);
                await SendPieceAsync(socket, buffer.Slice(0, length), position, fromRing: !isPreamble, cancellationToken).ConfigureAwait(false);
                position += length;
                buffer = buffer.Slice(length);

                // The piece is in the kernel. If the writer cut the reader off meanwhile, the socket is shut down: stop.
                if (Volatile.Read(ref _lapped) != 0)
                {
                    ThrowHelper.Lapped(this, position, _cache.OldestPosition);
                }

                Volatile.Write(ref _position, position);
                if (isPreamble)
                {
                    if (position >= _preambleEnd)
                    {
                        _preamble = default;
                    }
                }
                else
                {
                    MoveLeaseForward(position);
                }
            }
        }
        catch (Exception error) when (error is not LiveReaderLappedException && Volatile.Read(ref _lapped) != 0)
        {
            ThrowHelper.LappedDuringSend(this, position, _cache.OldestPosition, error);
        }

        return position - start;
    }

    /// <summary>
    /// Sends one piece through the library's one send path (<see cref="SocketSender"/>): ring bytes (not a preamble)
    /// also lie in the store's file when it has one, at <c>position % capacity</c>, wrapping at the ring's end, and the
    /// sender decides between the file and the memory.
    /// </summary>
    private ValueTask SendPieceAsync(Socket socket, ReadOnlySequence<byte> piece, long position, bool fromRing, CancellationToken cancellationToken) =>
        SocketSender.SendAsync(socket, ReadOnlyMemory<byte>.Empty, piece, fromRing ? _cache.Store : null, position % _cache.Capacity, _cache.Capacity, _cache.ReaderSendOptions, cancellationToken);
}
