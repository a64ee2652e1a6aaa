using System.Diagnostics;

namespace ZeroCopy;

// The registry of readers: creating them (at the newest sync point) and removing them; and the light leases of range
// sends, rented and returned. The writer scans both without the lock (LiveCache.Reclaim.cs).
public sealed partial class LiveCache
{
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
        return Register(new LiveReader(this));
    }

    /// <summary>Adds a new reader to the registry, where the writer's reclaim scan sees its lease. O(1) amortized.</summary>
    private LiveReader Register(LiveReader reader)
    {
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

    }

    /// <summary>
    /// A free light lease for one range send: reused from the array (a lock-free scan), or a new one added under the
    /// registry's lock when all are in use (as many as ranges were ever sent at once). O(leases), no allocation in steady state.
    /// </summary>
    private LiveRangeLease RentRangeLease()
    {
        foreach (LiveRangeLease lease in Volatile.Read(ref _rangeLeases))
        {
            if (lease.TryRent())
            {
                return lease;
            }
        }

        var added = new LiveRangeLease(this);
        added.TryRent();
        lock (_registryLock)
        {
            LiveRangeLease[] grown = [.. _rangeLeases, added];
            Volatile.Write(ref _rangeLeases, grown);
        }

        return added;
    }
}
