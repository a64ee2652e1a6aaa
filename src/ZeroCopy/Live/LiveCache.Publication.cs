using System.Diagnostics;
using ZeroCopy.Diagnostics;
using ZeroCopy.Internal;

namespace ZeroCopy;

// Publication: where the next write goes, sync point detection, the order in which a write is published; and the
// readers' view of the newest sync point.
public sealed partial class LiveCache
{
    /// <summary>
    /// The next writable slice of the ring: from the head, at most <paramref name="maxBytes"/>, inside one segment, and
    /// never reaching the ring offsets of positions at or above <see cref="OldestPosition"/> (readers' data).
    /// </summary>
    private Memory<byte> GetWritableMemory(int maxBytes)
    {
        if (_head - _oldest == _capacity)
        {
            ReclaimNextRegion();
        }

        long room = _oldest + _capacity - _head;
        Memory<byte> segmentRest = _chain.MemoryFrom(_writeOffset);
        int length = (int)Math.Min(Math.Min(room, segmentRest.Length), maxBytes);
        Debug.Assert(length > 0, $"no room: head {_head}, oldest {_oldest}, capacity {_capacity}");
        return segmentRest[..length];
    }

    /// <summary>Publishes <paramref name="count"/> bytes just written at the head (in <paramref name="written"/>).</summary>
    private void Commit(Memory<byte> written, int count)
    {
        if (count == 0)
        {
            return; // End of the ingest: nothing to publish.
        }

        Debug.Assert((uint)count <= (uint)written.Length, $"count {count}, slice {written.Length}");
        long start = _head;
        long head = start + count;
        SyncPointEntry? syncPoint = null;
        if (_detector is not null && _detector.Inspect(start, written.Span[..count], out SyncPoint found))
        {
            if (found.Position <= _lastSyncPosition || found.Position > head || found.Position % _unitSize != 0 || found.Position < found.Preamble.Length)
            {
                // The detector has consumed these bytes and cannot be rewound, so the stream cannot go on: end it,
                // faulted, without publishing them, and tell the writer.
                InvalidOperationException error = ThrowHelper.InvalidSyncPoint(found, _lastSyncPosition, head, _unitSize);
                CompleteCore(error);
                throw error;
            }

            _lastSyncPosition = found.Position;
            syncPoint = new SyncPointEntry(found, _syncPointCount, Stopwatch.GetTimestamp());
        }

        _writeOffset += count;
        if (_writeOffset == _capacity)
        {
            _writeOffset = 0;
        }

        // Release order: the bytes, then the head and the readable end, then the sync point (so a reader that sees the sync
        // point sees a readable end that covers it), then the version, whose full fence precedes the waiter check.
        Volatile.Write(ref _head, head);
        Volatile.Write(ref _readableEnd, _unitSize == 1 ? head : head - (head % _unitSize));
        if (syncPoint is not null)
        {
            Volatile.Write(ref _newestSyncPoint, syncPoint);
            AppendToIndex(syncPoint);
        }

        Interlocked.Increment(ref _version);
        if (_waitQueue.HasWaiters)
        {
            _waitQueue.ScheduleWake();
        }

        LiveMetrics.Ingested.Add(count, _tags);
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
}
