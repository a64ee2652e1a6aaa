using System.Diagnostics;
using ZeroCopy.Internal;

namespace ZeroCopy;

// The sync point index: the newest sync points the writer published, (position, presentation time), kept in a small
// ring of immutable entries and queried by readers without a lock. It lists only what is still intact in the ring.
public sealed partial class LiveCache
{
    /// <summary>
    /// Copies the newest sync points still intact in the ring into <paramref name="destination"/>, oldest first: a
    /// segmenter's or a time-shift's view of where decoders can start and when.
    /// </summary>
    /// <param name="destination">Receives at most its length of the newest intact sync points, in stream order.</param>
    /// <returns>The number of sync points copied.</returns>
    /// <remarks>
    /// <para>
    /// The index holds the newest <see cref="LiveCacheOptions.SyncPointIndexCapacity"/> sync points the detector reported
    /// and lists those whose position is at or above <see cref="OldestPosition"/> when it is read. A sync point listed
    /// here may be reclaimed right afterwards: using its bytes (<see cref="SendRangeAsync"/>,
    /// <see cref="CreateReader(SyncPoint)"/>) says so when it happens. Without a detector, the index is empty.
    /// </para>
    /// <para>Runs concurrently with the writer and other readers, takes no lock, and never holds the writer back. O(count), no allocation.</para>
    /// </remarks>
    /// <exception cref="ObjectDisposedException">The cache has been disposed.</exception>
    public int CopySyncPoints(Span<SyncPoint> destination)
    {
        ThrowIfDisposed();
        long count = Volatile.Read(ref _syncPointCount);
        long first = Math.Max(0, count - _syncPointIndex.Length);
        long oldest = OldestPosition;
        int copied = 0;

        // From the newest backwards, into the end of the destination, until the oldest intact one (or a full destination).
        for (long sequence = count - 1; sequence >= first && copied < destination.Length; sequence--)
        {
            if (!TryReadIndex(sequence, oldest, out SyncPointEntry? entry))
            {
                break;
            }

            destination[destination.Length - 1 - copied] = entry.ToSyncPoint();
            copied++;
        }

        if (copied < destination.Length)
        {
            destination[(destination.Length - copied)..].CopyTo(destination);
        }

        return copied;
    }

    /// <summary>
    /// Finds the newest intact sync point presented at or before <paramref name="presentationTime"/>: where a viewer
    /// asking for that time starts decoding: on a live channel, the <c>timecode_to_index</c> of Brett Slatkin's
    /// <i>Effective Python: 90 Specific Ways to Write Better Python</i> (2nd edition), item "Consider memoryview and
    /// bytearray for zero-copy interactions with bytes".
    /// </summary>
    /// <param name="presentationTime">A time on the stream's time line (<see cref="SyncPoint.PresentationTime"/>).</param>
    /// <param name="syncPoint">The sync point found, when the method returns <see langword="true"/>.</param>
    /// <returns>
    /// <see langword="false"/> when no intact sync point is that old or older, or the detector gives no times (then
    /// <see cref="TryGetSyncPointBeforeHead"/> still works, on the wall clock).
    /// </returns>
    /// <remarks>
    /// Assumes times grow with positions, as they do in a stream without discontinuities (after one, the answer is one of
    /// the sync points at or before the time, not necessarily the newest). O(log n), no allocation, no lock.
    /// </remarks>
    /// <exception cref="ObjectDisposedException">The cache has been disposed.</exception>
    public bool TryGetSyncPointAtOrBefore(TimeSpan presentationTime, out SyncPoint syncPoint)
    {
        ThrowIfDisposed();
        return TryFindLast(IndexKey.PresentationTime, presentationTime.Ticks, requireTime: true, out syncPoint);
    }

    /// <summary>
    /// Finds where a viewer joining <paramref name="duration"/> behind the live edge starts: the newest intact sync point
    /// at least that long before the newest one.
    /// </summary>
    /// <param name="duration">How far back; not negative. <see cref="TimeSpan.Zero"/> gives the newest sync point.</param>
    /// <param name="syncPoint">The sync point found, when the method returns <see langword="true"/>.</param>
    /// <returns>
    /// <see langword="false"/> when the index holds no intact sync point. When the ring does not reach that far back, the
    /// oldest intact sync point (the caller compares its time when it must know).
    /// </returns>
    /// <remarks>
    /// Measured on presentation times when the newest sync point has one (the head's time is taken as the newest sync
    /// point's, so the join is at most one group of pictures further back than asked), otherwise on the wall clock of
    /// publication. O(log n), no allocation, no lock.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="duration"/> is negative.</exception>
    /// <exception cref="ObjectDisposedException">The cache has been disposed.</exception>
    public bool TryGetSyncPointBeforeHead(TimeSpan duration, out SyncPoint syncPoint)
    {
        if (duration < TimeSpan.Zero)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(duration), duration, "must not be negative");
        }

        ThrowIfDisposed();
        SyncPointEntry? newest = Volatile.Read(ref _newestSyncPoint);
        if (newest is null)
        {
            syncPoint = default;
            return false;
        }

        bool found = newest.PresentationTime is TimeSpan head
            ? TryFindLast(IndexKey.PresentationTime, (head - duration).Ticks, requireTime: false, out syncPoint)
            : TryFindLast(IndexKey.PublishedTimestamp, Stopwatch.GetTimestamp() - (long)(duration.TotalSeconds * Stopwatch.Frequency), requireTime: false, out syncPoint);
        return found || TryGetOldestIndexed(out syncPoint);
    }

    /// <summary>
    /// Finds the oldest intact sync point after <paramref name="position"/>: the next place a segmenter may cut.
    /// </summary>
    /// <param name="position">A stream position; sync points at it or before it are skipped.</param>
    /// <param name="syncPoint">The sync point found, when the method returns <see langword="true"/>.</param>
    /// <returns><see langword="false"/> when the index holds no intact sync point after <paramref name="position"/> (yet).</returns>
    /// <remarks>O(log n), no allocation, no lock.</remarks>
    /// <exception cref="ObjectDisposedException">The cache has been disposed.</exception>
    public bool TryGetSyncPointAfter(long position, out SyncPoint syncPoint) => TryGetSyncPointAfter(position, out syncPoint, out _);

    /// <summary>
    /// Finds the oldest intact sync point after <paramref name="position"/> and how long ago the writer published it:
    /// what a segmenter that starts on a running stream needs to date the history it lists (an HLS
    /// <c>EXT-X-PROGRAM-DATE-TIME</c>), which the stream's own presentation times cannot tell.
    /// </summary>
    /// <param name="position">A stream position; sync points at it or before it are skipped.</param>
    /// <param name="syncPoint">The sync point found, when the method returns <see langword="true"/>.</param>
    /// <param name="sincePublished">
    /// The time from the writer's publication of the sync point's first byte to now, on a monotonic clock (never negative,
    /// unaffected by changes to the wall clock); <see cref="TimeSpan.Zero"/> when the method returns <see langword="false"/>.
    /// </param>
    /// <returns><see langword="false"/> when the index holds no intact sync point after <paramref name="position"/> (yet).</returns>
    /// <remarks>O(log n), no allocation, no lock.</remarks>
    /// <exception cref="ObjectDisposedException">The cache has been disposed.</exception>
    public bool TryGetSyncPointAfter(long position, out SyncPoint syncPoint, out TimeSpan sincePublished)
    {
        ThrowIfDisposed();
        long count = Volatile.Read(ref _syncPointCount);
        long oldest = OldestPosition;

        // The index, oldest to newest, reads: [gone or overwritten...][intact, at or before position...][intact, after...].
        // Find the first of the last kind.
        long low = Math.Max(0, count - _syncPointIndex.Length);
        long high = count;
        while (low < high)
        {
            long middle = low + ((high - low) / 2);
            if (TryReadIndex(middle, oldest, out SyncPointEntry? entry) && entry.Position > position)
            {
                high = middle;
            }
            else
            {
                low = middle + 1;
            }
        }

        if (low < count && TryReadIndex(low, oldest, out SyncPointEntry? found) && found.Position > position)
        {
            syncPoint = found.ToSyncPoint();
            sincePublished = Stopwatch.GetElapsedTime(found.PublishedTimestamp);
            return true;
        }

        syncPoint = default;
        sincePublished = TimeSpan.Zero;
        return false;
    }

    /// <summary>Adds a sync point the writer is publishing: the slot first, then the count (release order).</summary>
    private void AppendToIndex(SyncPointEntry entry)
    {
        Debug.Assert(entry.Sequence == _syncPointCount, $"sequence {entry.Sequence}, count {_syncPointCount}");
        Volatile.Write(ref _syncPointIndex[entry.Sequence % _syncPointIndex.Length], entry);
        Volatile.Write(ref _syncPointCount, entry.Sequence + 1);
    }

    /// <summary>
    /// Reads the index entry with sequence number <paramref name="sequence"/>: <see langword="false"/> when the writer has
    /// already put a newer one in its slot, or its position is below <paramref name="oldest"/> (reclaimed).
    /// </summary>
    private bool TryReadIndex(long sequence, long oldest, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out SyncPointEntry? entry)
    {
        entry = Volatile.Read(ref _syncPointIndex[sequence % _syncPointIndex.Length]);
        return entry is not null && entry.Sequence == sequence && entry.Position >= oldest;
    }

    /// <summary>The newest intact entry whose key is at most <paramref name="target"/>.</summary>
    private bool TryFindLast(IndexKey key, long target, bool requireTime, out SyncPoint syncPoint)
    {
        long count = Volatile.Read(ref _syncPointCount);
        long oldest = OldestPosition;

        // Oldest to newest: [gone or overwritten...][intact, key <= target...][intact, key > target...]. Find the first of
        // the last kind; the answer is just before it.
        long first = Math.Max(0, count - _syncPointIndex.Length);
        long low = first;
        long high = count;
        while (low < high)
        {
            long middle = low + ((high - low) / 2);
            if (TryReadIndex(middle, oldest, out SyncPointEntry? entry) && KeyOf(entry, key) > target)
            {
                high = middle;
            }
            else
            {
                low = middle + 1;
            }
        }

        if (low > first && TryReadIndex(low - 1, oldest, out SyncPointEntry? found) && KeyOf(found, key) <= target
            && (!requireTime || found.PresentationTime is not null))
        {
            syncPoint = found.ToSyncPoint();
            return true;
        }

        syncPoint = default;
        return false;
    }

    /// <summary>The oldest intact entry.</summary>
    private bool TryGetOldestIndexed(out SyncPoint syncPoint) => TryGetSyncPointAfter(Math.Max(OldestPosition, 0) - 1, out syncPoint);

    // A sync point without a time sorts before every time: it never answers a time lookup (requireTime), and a stream
    // without times never has a time lookup to answer.
    private static long KeyOf(SyncPointEntry entry, IndexKey key) => key switch
    {
        IndexKey.PresentationTime => entry.PresentationTime?.Ticks ?? long.MinValue,
        _ => entry.PublishedTimestamp,
    };

    private enum IndexKey
    {
        PresentationTime,
        PublishedTimestamp,
    }
}
