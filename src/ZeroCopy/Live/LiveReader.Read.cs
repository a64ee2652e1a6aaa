using System.Buffers;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using ZeroCopy.Diagnostics;
using ZeroCopy.Internal;

namespace ZeroCopy;

// Reading: wait for data without a thread, hand out a leased view of the ring, and take it back with AdvanceTo.
public sealed partial class LiveReader
{
    /// <summary>
    /// Returns the bytes available past <see cref="Position"/> as a view of the ring, waiting asynchronously until there
    /// are some, or until the stream completes or faults. Completes synchronously, allocation-free, when data is there.
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait; the reader stays usable and other readers are unaffected.</param>
    /// <returns>
    /// The buffer from <see cref="Position"/> to the newest published whole unit (or the preamble of the sync point the
    /// reader starts at), the bytes skipped just before it, and whether the stream ends with it. An empty buffer means the
    /// stream completed and the reader has consumed everything.
    /// </returns>
    /// <remarks>
    /// Ends the previous buffer's lease first (like <c>AdvanceTo(Position)</c>). The new buffer stays valid until
    /// <see cref="AdvanceTo"/>, the next read or <see cref="Dispose"/>; if the writer must reuse its region sooner, it cuts
    /// the reader off and <see cref="AdvanceTo"/> throws. Cost: O(1), no copy; no allocation when data is available.
    /// </remarks>
    /// <exception cref="LiveReaderLappedException">
    /// The reader was cut off: the writer lapped the previous buffer, or the reader lagged under
    /// <see cref="LaggingReaderPolicy.Disconnect"/>.
    /// </exception>
    /// <exception cref="IOException">The writer completed the stream with an error (the inner exception) and the reader has consumed everything before it.</exception>
    /// <exception cref="InvalidOperationException">Another <see cref="ReadAsync"/> or <see cref="SendToAsync"/> is in progress.</exception>
    /// <exception cref="ObjectDisposedException">The reader or the cache has been disposed (also while waiting).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    public ValueTask<LiveReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        EnterOperation();
        try
        {
            ReleaseLease();
            if (!cancellationToken.IsCancellationRequested && TryRead(socket: null, out LiveReadResult result))
            {
                ExitOperation();
                return new ValueTask<LiveReadResult>(result);
            }
        }
        catch
        {
            ExitOperation();
            throw;
        }

        return WaitAndReadAsync(socket: null, exitOperation: true, cancellationToken);
    }

    /// <summary>
    /// Consumes the stream up to <paramref name="position"/> and ends the current buffer's lease; confirms that the bytes
    /// the caller took from the buffer were intact. O(1).
    /// </summary>
    /// <param name="position">
    /// The new position: from <see cref="Position"/> to the end of the last buffer read. Bytes before it are consumed; the
    /// rest is returned again by the next read.
    /// </param>
    /// <remarks>After this call the last buffer must not be used (the writer may reuse it): read again.</remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="position"/> is outside the last buffer.</exception>
    /// <exception cref="LiveReaderLappedException">
    /// The writer reused, or started to reuse, the buffer's region before this call: bytes taken from it may be torn. The
    /// reader is finished.
    /// </exception>
    /// <exception cref="InvalidOperationException">A <see cref="ReadAsync"/> or <see cref="SendToAsync"/> is in progress.</exception>
    /// <exception cref="ObjectDisposedException">The reader or its cache has been disposed.</exception>
    public void AdvanceTo(long position)
    {
        int state = Volatile.Read(ref _state);
        if (state != 0)
        {
            ThrowForState(state);
        }

        if (position < _position || position > _bufferEnd)
        {
            ThrowHelper.AdvanceOutOfRange(position, _position, _bufferEnd);
        }

        ReleaseLease();

        // The cache's memory is gone: nothing taken from the buffer can be confirmed, and the position means nothing.
        _cache.ThrowIfDisposed();
        Volatile.Write(ref _position, position);
        if (position >= _preambleEnd)
        {
            _preamble = default;
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<LiveReadResult> WaitAndReadAsync(Socket? socket, bool exitOperation, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();

                // Read the version before looking: a publish after this point makes the wait below return at once.
                long version = _cache.Version;
                if (TryRead(socket, out LiveReadResult result))
                {
                    return result;
                }

                await _waiter.WaitAsync(_cache, version, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            if (exitOperation)
            {
                ExitOperation();
            }
        }
    }

    /// <summary>
    /// Takes what is available now, if anything: the preamble still to deliver, or a leased view of the stream past the
    /// position after applying the lagging-reader policy, or the completion. Holds no lease when it returns
    /// <see langword="false"/>. <paramref name="socket"/> is the socket a send will use (cut off with the reader).
    /// </summary>
    private bool TryRead(Socket? socket, out LiveReadResult result)
    {
        LiveCache cache = _cache;
        cache.ThrowIfDisposed();

        // The completion first: when it is set, the readable end read below is final.
        LiveCache.LiveCompletion? completion = cache.Completion;
        if (_awaitingSyncPoint && !TryLandOnSyncPoint())
        {
            return TryComplete(completion, out result);
        }

        while (true)
        {
            long position = _position;
            if (position < _preambleEnd)
            {
                // The preamble is the reader's own immutable copy, outside the ring: no lease needed.
                int offset = _preamble.Length - (int)(_preambleEnd - position);
                _bufferEnd = _preambleEnd;
                result = new LiveReadResult(new ReadOnlySequence<byte>(_preamble[offset..]), position, TakePendingSkipped(), isCompleted: false);
                return true;
            }

            long end = cache.ReadableEnd;
            if (position >= end)
            {
                return TryComplete(completion, out result);
            }

            if (TryTakeLease(position, socket, out long oldest))
            {
                if (end - position > cache.LaggingDistance && cache.LaggingReaderPolicy == LaggingReaderPolicy.SkipToSyncPoint && TrySkipAhead(position))
                {
                    continue;
                }

                _bufferEnd = end;
                LiveMetrics.ReaderLag.Record(end - position, cache.Tags);
                result = new LiveReadResult(cache.GetSequence(position, end - position), position, TakePendingSkipped(), completion is { Error: null });
                return true;
            }

            OnLapped(position, oldest);
            if (_awaitingSyncPoint && !TryLandOnSyncPoint())
            {
                return TryComplete(completion, out result);
            }
        }
    }

    private bool TryComplete(LiveCache.LiveCompletion? completion, out LiveReadResult result)
    {
        if (completion is null)
        {
            result = default;
            return false;
        }

        if (completion.Error is not null)
        {
            ThrowHelper.Faulted(completion.Error);
        }

        _bufferEnd = _position;
        result = new LiveReadResult(ReadOnlySequence<byte>.Empty, _position, TakePendingSkipped(), isCompleted: true);
        return true;
    }
}
