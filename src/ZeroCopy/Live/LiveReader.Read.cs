using System.Buffers;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace ZeroCopy;

// Reading: wait for data without a thread, take a lease, apply the lagging-reader policy, hand out a view of the ring.
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

            // The lease, then (after the full fence) the oldest intact position: either this sees the writer's reclaim, or
            // the writer's reclaim sees this lease and cuts the reader off before reusing the region.
            if (socket is not null)
            {
                Volatile.Write(ref _sendSocket, socket);
            }

            Interlocked.Exchange(ref _lease, position);
            long oldest = cache.OldestPosition;
            if (position >= oldest)
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

            Volatile.Write(ref _lease, NoLease);
            OnLapped(position, oldest, socket);
            if (_awaitingSyncPoint && !TryLandOnSyncPoint())
            {
                return TryComplete(completion, out result);
            }
        }
    }

    /// <summary>
    /// More than seven eighths of the ring behind, the reader's data is reclaimed within the next eighth written: under
    /// <see cref="LaggingReaderPolicy.SkipToSyncPoint"/> it moves to a newer sync point now, between sends, rather than
    /// be cut off in the middle of one.
    /// </summary>
    private bool TrySkipAhead(long position)
    {
        if (!_cache.TryGetNewestSyncPoint(out long syncPoint, out ReadOnlyMemory<byte> preamble) || syncPoint <= position)
        {
            return false;
        }

        Volatile.Write(ref _lease, NoLease);
        MoveTo(position, syncPoint, preamble, countAsSkip: true);
        return true;
    }

    /// <summary>The data at <paramref name="position"/> is gone (below the oldest intact position): apply the policy.</summary>
    private void OnLapped(long position, long oldest, Socket? socket)
    {
        if (_cache.LaggingReaderPolicy == LaggingReaderPolicy.Disconnect)
        {
            CutOff(LiveMetrics.ReasonLagging);
            if (socket is not null)
            {
                ShutdownQuietly(socket);
            }

            LiveThrowHelper.Lapped(this, position, oldest);
        }

        if (_cache.TryGetNewestSyncPoint(out long syncPoint, out ReadOnlyMemory<byte> preamble))
        {
            MoveTo(position, syncPoint, preamble, countAsSkip: true);
        }
        else
        {
            // No intact sync point (the stream had none for a whole ring): wait for the next one.
            _awaitingSyncPoint = true;
            _awaitingAfterSkip = true;
            _skipFrom = position;
        }
    }

    private bool TryLandOnSyncPoint()
    {
        if (!_cache.TryGetNewestSyncPoint(out long syncPoint, out ReadOnlyMemory<byte> preamble))
        {
            return false;
        }

        MoveTo(_awaitingAfterSkip ? _skipFrom : syncPoint, syncPoint, preamble, countAsSkip: _awaitingAfterSkip);
        _awaitingSyncPoint = false;
        _awaitingAfterSkip = false;
        return true;
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
            LiveThrowHelper.Faulted(completion.Error);
        }

        _bufferEnd = _position;
        result = new LiveReadResult(ReadOnlySequence<byte>.Empty, _position, TakePendingSkipped(), isCompleted: true);
        return true;
    }

    private long TakePendingSkipped()
    {
        long skipped = _pendingSkipped;
        _pendingSkipped = 0;
        return skipped;
    }
}
