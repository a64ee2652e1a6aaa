using System.Diagnostics;
using ZeroCopy.Diagnostics;
using ZeroCopy.Internal;

namespace ZeroCopy;

// The lagging-reader policy: where a reader goes when the writer is about to lap it or already has, and how it lands
// on a sync point.
public sealed partial class LiveReader
{
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

        DropLease();
        MoveTo(position, syncPoint, preamble, countAsSkip: true);
        return true;
    }

    /// <summary>The data at <paramref name="position"/> is gone (below the oldest intact position): apply the policy.</summary>
    private void OnLapped(long position, long oldest)
    {
        if (_cache.LaggingReaderPolicy == LaggingReaderPolicy.Disconnect)
        {
            CutOff(LiveMetrics.ReasonLagging); // shuts down the socket of a send: TryTakeLease registered it
            ThrowHelper.Lapped(this, position, oldest);
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

    /// <summary>Moves the reader to a sync point (after its preamble, if any), counting a skip when it lagged.</summary>
    private void MoveTo(long from, long syncPoint, ReadOnlyMemory<byte> preamble, bool countAsSkip)
    {
        if (countAsSkip)
        {
            long skipped = syncPoint - from;
            Debug.Assert(skipped > 0, $"skip from {from} to sync point {syncPoint}");
            _pendingSkipped += skipped;
            Volatile.Write(ref _bytesSkipped, _bytesSkipped + skipped);
            Volatile.Write(ref _skipCount, _skipCount + 1);
            LiveMetrics.Skips.Add(1, _cache.Tags);
            LiveMetrics.Skipped.Add(skipped, _cache.Tags);
        }

        _preamble = preamble;
        _preambleEnd = syncPoint;
        _bufferEnd = syncPoint - preamble.Length;
        Volatile.Write(ref _position, _bufferEnd);
    }

    private long TakePendingSkipped()
    {
        long skipped = _pendingSkipped;
        _pendingSkipped = 0;
        return skipped;
    }
}
