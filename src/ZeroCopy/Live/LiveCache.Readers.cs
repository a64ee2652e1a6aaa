using System.Diagnostics;

namespace ZeroCopy;

// The readers' side of the cache: creating readers, the registry the writer checks before reusing a region, sync points.
public sealed partial class LiveCache
{
    private readonly object _registryLock = new();
    private readonly Stack<int> _freeSlots = new();
    private LiveReader?[] _readers = new LiveReader?[16];
    private int _slotsUsed;
    private int _readerCount;

    /// <summary>
    /// Creates a reader positioned at the newest sync point: with a detector, the newest place a decoder can start (its
    /// first read returns the sync point's preamble, if any, then the stream from there); without one, the newest byte.
    /// </summary>
    /// <returns>A new reader; the caller owns it and disposes it.</returns>
    /// <remarks>
    /// When no sync point has been found yet (or the newest one was already overwritten), the reader waits for the next
    /// one; until then its <see cref="LiveReader.Position"/> is provisional (the readable end at creation). Creating a
    /// reader after <see cref="Complete"/> is allowed: it reads from the newest sync point to the end. Cost: O(1) amortized.
    /// </remarks>
    /// <exception cref="ObjectDisposedException">The cache has been disposed.</exception>
    public LiveReader CreateReader()
    {
        ThrowIfDisposed();
        var reader = new LiveReader(this);
        lock (_registryLock)
        {
            int slot;
            if (_freeSlots.Count > 0)
            {
                slot = _freeSlots.Pop();
            }
            else
            {
                slot = _slotsUsed++;
                if (slot == _readers.Length)
                {
                    var grown = new LiveReader?[_readers.Length * 2];
                    Array.Copy(_readers, grown, _readers.Length);
                    Volatile.Write(ref _readers, grown);
                }
            }

            reader.Slot = slot;
            Volatile.Write(ref _readers[slot], reader);
            Volatile.Write(ref _readerCount, _readerCount + 1);
        }

        LiveMetrics.Readers.Add(1, _tags);
        return reader;
    }

    /// <summary>Removes a reader from the registry; called once, when the reader is released.</summary>
    internal void Unregister(LiveReader reader)
    {
        lock (_registryLock)
        {
            Debug.Assert(ReferenceEquals(_readers[reader.Slot], reader), $"slot {reader.Slot} does not hold this reader");
            Volatile.Write(ref _readers[reader.Slot], null);
            _freeSlots.Push(reader.Slot);
            Volatile.Write(ref _readerCount, _readerCount - 1);
        }

        LiveMetrics.Readers.Add(-1, _tags);
    }

    /// <summary>
    /// The newest sync point that is still intact. Without a detector every position is a sync point, so this is the
    /// readable end. The caller re-checks <see cref="OldestPosition"/> after taking its lease.
    /// </summary>
    internal bool TryGetNewestSyncPoint(out long position, out ReadOnlyMemory<byte> preamble)
    {
        if (_detector is null)
        {
            position = Volatile.Read(ref _readableEnd);
            preamble = default;
            return true;
        }

        SyncPointEntry? entry = Volatile.Read(ref _newestSyncPoint);
        if (entry is null || entry.Position < Volatile.Read(ref _oldest))
        {
            position = 0;
            preamble = default;
            return false;
        }

        position = entry.Position;
        preamble = entry.Preamble;
        return true;
    }

    /// <summary>
    /// Cuts off every reader still using a position below <paramref name="oldest"/>: marks it lapped and, when it is
    /// sending, shuts its socket down. Runs on the writer, after publishing the new oldest position and before reusing
    /// the region; never waits for a reader.
    /// </summary>
    private void CutOffReadersBefore(long oldest)
    {
        LiveReader?[] readers = Volatile.Read(ref _readers);
        for (int i = 0; i < readers.Length; i++)
        {
            LiveReader? reader = Volatile.Read(ref readers[i]);
            if (reader is not null && reader.LeaseStart < oldest)
            {
                reader.CutOff(LiveMetrics.ReasonInFlight);
            }
        }
    }
}
