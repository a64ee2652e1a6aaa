using System.Diagnostics;
using System.Runtime.CompilerServices;
using ZeroCopy.Diagnostics;

namespace ZeroCopy;

// The writer's half of the lease handshake (LiveReader.Lease.cs is the reader's): move the oldest intact position on
// by an eighth of the ring, then cut off every reader whose lease lies below it, before a byte of the region is
// written.
public sealed partial class LiveCache
{
    /// <summary>
    /// Moves <see cref="OldestPosition"/> up by an eighth of the ring, then cuts off every reader whose lease lies below it
    /// — before the writer touches a byte of the region. Never waits. O(readers), once per eighth of the ring.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ReclaimNextRegion()
    {
        long oldest = _oldest + _reuseQuantum;
        Debug.Assert(oldest <= _head, $"reclaiming past the head: oldest {oldest}, head {_head}");

        // A full fence: the new oldest position is visible before the leases are read (the readers' side publishes its
        // lease, fences, then reads this), and before any byte of the region is written.
        Interlocked.Exchange(ref _oldest, oldest);
        CutOffReadersBefore(oldest);

        // Bytes of the region that a sendfile(2) handed to the kernel may still wait in socket queues, as references to
        // the ring's pages: a store with such pages detaches them now, so those bytes stay intact while the writer fills
        // fresh pages (a no-op for pinned arrays, whose sends copy).
        _chain.Store.Discard((oldest - _reuseQuantum) % _capacity, _reuseQuantum);
    }

    /// <summary>
    /// Cuts off every reader and range lease still using a position below <paramref name="oldest"/>: marks it lapped and,
    /// when it is sending, shuts its socket down. Runs on the writer, after publishing the new oldest position and before reusing
    /// the region; never waits for a reader.
    /// </summary>
    private void CutOffReadersBefore(long oldest)
    {
        LiveReader?[] readers = Volatile.Read(ref _readers);
        for (int i = 0; i < readers.Length; i++)
        {
            LiveReader? reader = Volatile.Read(ref readers[i]);
            if (reader is not null && reader.LeaseStart < oldest && !reader.IsLapped)
            {
                reader.CutOff(LiveMetrics.ReasonInFlight);
            }
        }

        foreach (LiveRangeLease lease in Volatile.Read(ref _rangeLeases))
        {
            if (lease.LeaseStart < oldest && !lease.IsLapped)
            {
                lease.CutOff(oldest);
            }
        }
    }
}
