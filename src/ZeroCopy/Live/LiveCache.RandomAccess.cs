using System.Net.Sockets;
using ZeroCopy.Internal;

namespace ZeroCopy;

// Random access by position: a reader that starts at a chosen sync point, a range sent straight from the ring with both
// live guarantees, and a wait, without a thread, for a position to be published.
public sealed partial class LiveCache
{
    /// <summary>
    /// Creates a reader that starts at <paramref name="start"/> rather than at the newest sync point: a sync point from the
    /// index (<see cref="TryGetSyncPointAtOrBefore"/>, <see cref="TryGetSyncPointBeforeHead"/>: time-shift), or any
    /// position of the stream (<c>new SyncPoint(position)</c>: random access).
    /// </summary>
    /// <param name="start">Where the reader starts: its preamble first, if any, then the stream from its position.</param>
    /// <returns>A new reader; the caller owns it and disposes it.</returns>
    /// <remarks>
    /// The reader reads and sends like any other (<see cref="LiveReader.ReadAsync"/>, <see cref="LiveReader.SendToAsync"/>)
    /// with the same guarantees. A position past the readable end waits for it. A position the writer has already
    /// reclaimed (now, or before the first read) is handled by the cache's <see cref="LaggingReaderPolicy"/> on the first
    /// read: moved to the newest sync point (reported in <see cref="LiveReadResult.SkippedBytes"/>) or cut off — never a
    /// torn byte. Cost: O(1) amortized.
    /// </remarks>
    /// <exception cref="ArgumentException">
    /// The position is not a multiple of the detector's unit size, or it is smaller than the preamble.
    /// </exception>
    /// <exception cref="ObjectDisposedException">The cache has been disposed.</exception>
    public LiveReader CreateReader(SyncPoint start)
    {
        ThrowIfDisposed();
        if (start.Position % _unitSize != 0 || start.Position < start.Preamble.Length)
        {
            ThrowHelper.InvalidReaderStart(start, _unitSize);
        }

        return Register(new LiveReader(this, start));
    }

    /// <summary>
    /// Sends the published stream bytes <c>[position, position + length)</c> straight from the ring to
    /// <paramref name="socket"/>, or says that they are gone: random access for a segment of a live stream (an HLS
    /// segment or part), on the same send path as <see cref="LiveReader.SendToAsync"/>.
    /// </summary>
    /// <param name="socket">A connected stream socket (TCP). The caller owns it.</param>
    /// <param name="position">The first byte; published (below <see cref="ReadableEnd"/>).</param>
    /// <param name="length">How many bytes; the range must end at or before <see cref="ReadableEnd"/> and be at most a ring long.</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    /// <returns>
    /// <see langword="true"/> when the whole range was sent; <see langword="false"/> when the writer had already reclaimed
    /// its start, and nothing was sent (an HTTP server answers 404 or 410).
    /// </returns>
    /// <remarks>
    /// <para>
    /// No copy in user space; pieces of at most <see cref="SocketExtensions.DefaultMaxSendSize"/> bytes, through the library's
    /// one send path (<c>sendfile(2)</c> for pieces over 64 KiB from a shared-memory ring on the <see cref="SocketLoop"/>,
    /// a copy into the socket otherwise). The range is leased
    /// while it is sent: if the writer must reuse it first, it shuts the socket down before writing (the peer gets an
    /// intact prefix, then the end of the connection, never a torn byte) and this call throws
    /// <see cref="LiveReaderLappedException"/>. The lease is a light one, reused from call to call (not a registered
    /// <see cref="LiveReader"/>): no allocation in steady state.
    /// </para>
    /// <para>
    /// To send a range that is not published yet, wait for it first with <see cref="WaitForPublishedAsync"/>.
    /// </para>
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="socket"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="position"/> or <paramref name="length"/> is negative, the range ends past <see cref="ReadableEnd"/>,
    /// or it is longer than <see cref="Capacity"/>.
    /// </exception>
    /// <exception cref="LiveReaderLappedException">The writer reclaimed the range while it was being sent; the socket is shut down.</exception>
    /// <exception cref="ObjectDisposedException">The cache has been disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled; part of the range may have been sent.</exception>
    /// <exception cref="SocketException">The connection failed for another reason.</exception>
    public ValueTask<bool> SendRangeAsync(Socket socket, long position, long length, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ThrowIfDisposed();
        long end = ReadableEnd;
        if (position < 0 || length < 0 || length > _capacity || position > end - length)
        {
            ThrowHelper.RangeNotPublished(position, length, end, _capacity);
        }

        if (position < OldestPosition)
        {
            return new ValueTask<bool>(false);
        }

        return SendRangeCoreAsync(socket, position, length, cancellationToken);
    }

    /// <summary>
    /// Waits, without a thread, until the stream position <paramref name="position"/> is published (<see cref="ReadableEnd"/>
    /// reaches it), or the stream completes: for a blocking playlist reload or a preload hint that asks for what the
    /// encoder has not sent yet.
    /// </summary>
    /// <param name="position">The position to wait for.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>
    /// The readable end when the wait ended: at least <paramref name="position"/>, or less when the stream completed first.
    /// </returns>
    /// <remarks>
    /// Completes synchronously, without allocating, when the position is already published or the stream has completed.
    /// Otherwise one small waiter object registers with the cache's wait queue and is completed from the thread pool after a
    /// publish: the writer's cost is the same flag check it makes for waiting readers. Any number of callers may wait at once.
    /// </remarks>
    /// <exception cref="ObjectDisposedException">The cache has been (or is, during the wait) disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    public ValueTask<long> WaitForPublishedAsync(long position, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        bool completed = Completion is not null;
        long end = ReadableEnd;
        if (end >= position || completed)
        {
            return new ValueTask<long>(end);
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<long>(cancellationToken);
        }

        return new LivePublicationWaiter(this, position).WaitAsync(cancellationToken);
    }

    private ValueTask<bool> SendRangeCoreAsync(Socket socket, long position, long length, CancellationToken cancellationToken) =>
        RentRangeLease().SendAsync(socket, position, length, cancellationToken);
}
