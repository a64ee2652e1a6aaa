using System.Diagnostics;
using System.Net.Sockets;
using ZeroCopy.Internal;

namespace ZeroCopy;

/// <summary>
/// One viewer of a <see cref="LiveCache"/>: its own 64-bit position in the stream, zero-copy reads of the bytes past it,
/// asynchronous waits for more, and sends straight from the ring. Created by <see cref="LiveCache.CreateReader()"/>.
/// </summary>
/// <remarks>
/// <para>
/// <b>Use.</b> Either call <see cref="SendToAsync"/> in a loop (it waits, sends and advances), or call
/// <see cref="ReadAsync"/>, consume the buffer, and call <see cref="AdvanceTo"/>. One call at a time: a reader serves one
/// consumer. Readers are independent: one reader's speed, cancellation or disposal never affects another, nor the writer.
/// </para>
/// <para>
/// <b>Ownership and validity.</b> A buffer from <see cref="ReadAsync"/> is a view of the ring, not a copy, and the reader
/// holds a lease on it until <see cref="AdvanceTo"/>, the next read, or <see cref="Dispose"/>. The writer never waits for
/// a lease: if it must reuse the region first, it cuts the reader off, and <see cref="AdvanceTo"/> (or the next call)
/// throws <see cref="LiveReaderLappedException"/>. So bytes taken from a buffer are known to be intact exactly when the
/// following <see cref="AdvanceTo"/> returns normally; use them after that (copy, parse, then advance, then act).
/// </para>
/// <para>
/// <b>Lagging.</b> Between calls, a reader that the writer is about to lap is handled by the cache's
/// <see cref="LaggingReaderPolicy"/>: moved forward to the newest sync point (<see cref="LiveReadResult.SkippedBytes"/>,
/// <see cref="BytesSkipped"/>, <see cref="SkipCount"/>), or cut off.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// using LiveReader reader = cache.CreateReader();
/// while (true)
/// {
///     LiveReadResult result = await reader.ReadAsync(ct);
///     ReadOnlySequence&lt;byte&gt; buffer = result.Buffer;
///     int records = Parse(buffer, out long consumed);      // look, but do not act yet
///     reader.AdvanceTo(result.Position + consumed);        // throws LiveReaderLappedException if the bytes were torn
///     Act(records);                                         // now they are known to be intact
///     if (result.IsCompleted) break;
/// }
/// </code>
/// </example>
[DebuggerDisplay("{ToString(),nq}")]
public sealed partial class LiveReader : IDisposable
{
    private const long NoLease = long.MaxValue; // _lease when the reader holds no part of the ring
    private const int Busy = 1;                 // _state: a ReadAsync or SendToAsync is in progress
    private const int Disposed = 2;             // _state: Dispose was called

    private readonly LiveCache _cache;          // the ring this reader reads
    private readonly LiveReaderWaiter _waiter;  // the one reusable wait for data (no allocation per wait)

    // The consumer's state: one call at a time touches it; the public counters are also read by other threads (Volatile).
    private long _position;                     // the next byte this reader gets (below _preambleEnd: a preamble byte)
    private long _bufferEnd;                    // the end of the last buffer handed out: AdvanceTo's upper bound
    private ReadOnlyMemory<byte> _preamble;     // the sync point's preamble still to deliver, outside the ring
    private long _preambleEnd;                  // the sync point the preamble leads to; positions before it are the preamble's
    private bool _awaitingSyncPoint;            // started or skipped with no intact sync point: wait for the next one
    private bool _awaitingAfterSkip;            // ... and that wait follows a skip, to be counted when landing
    private long _skipFrom;                     // where that skip started
    private long _pendingSkipped;               // bytes skipped since the last result: reported in the next one
    private long _bytesSkipped;                 // total bytes skipped (public)
    private int _skipCount;                     // total skips (public)

    // Shared with the writer (LiveReader.Lease.cs, LiveCache.Reclaim.cs; docs/design.md, "Memory ordering").
    private long _lease = NoLease;              // the oldest position this reader may still touch
    private Socket? _sendSocket;                // the socket a send is in flight on, for the writer to shut down
    private int _lapped;                        // set once when the reader is cut off; final
    private string? _cutOffReason;              // why it was cut off (the metrics' reason tag)
    private int _shutdowns;                     // sockets shut down by a cut-off: at most one per reader
    private int _state;                         // Busy and Disposed flags

    /// <summary>A reader that starts at <paramref name="start"/>: its preamble first, then the stream from its position.</summary>
    internal LiveReader(LiveCache cache, SyncPoint start)
    {
        _cache = cache;
        _waiter = new LiveReaderWaiter(this);
        MoveTo(start.Position, start.Position, start.Preamble, countAsSkip: false);
    }

    internal LiveReader(LiveCache cache)
    {
        _cache = cache;
        _waiter = new LiveReaderWaiter(this);
        if (cache.TryGetNewestSyncPoint(out long syncPoint, out ReadOnlyMemory<byte> preamble))
        {
            MoveTo(syncPoint, syncPoint, preamble, countAsSkip: false);
        }
        else
        {
            _awaitingSyncPoint = true;
            _position = _bufferEnd = cache.ReadableEnd;
        }
    }

    /// <summary>
    /// The stream position of the next byte this reader gets. While the reader still has a sync point's preamble to
    /// deliver, it is the sync point minus the preamble's remaining length: those positions stand for the preamble's bytes,
    /// for this reader only.
    /// </summary>
    public long Position => Volatile.Read(ref _position);

    /// <summary>The total number of stream bytes this reader skipped because it lagged.</summary>
    public long BytesSkipped => Volatile.Read(ref _bytesSkipped);

    /// <summary>How many times this reader was moved forward to a sync point because it lagged.</summary>
    public int SkipCount => Volatile.Read(ref _skipCount);

    /// <summary>Whether the writer cut this reader off (every later call throws <see cref="LiveReaderLappedException"/>).</summary>
    public bool IsLapped => Volatile.Read(ref _lapped) != 0;

    internal int Slot { get; set; }

    internal bool IsDisposed => (Volatile.Read(ref _state) & Disposed) != 0;

    /// <summary>The oldest stream position this reader may still touch, or <see cref="long.MaxValue"/>; read by the writer.</summary>
    internal long LeaseStart => Volatile.Read(ref _lease);

    internal string CutOffReason => _cutOffReason ?? "not cut off";

    /// <summary>How many times a cut-off shut this reader's socket down: 0 or 1.</summary>
    internal int ShutdownCount => Volatile.Read(ref _shutdowns);

    /// <summary>
    /// Releases the reader: ends its lease and removes it from the cache. A read waiting for data throws
    /// <see cref="ObjectDisposedException"/>; a send in flight finishes (cancel it to stop it) and the reader is released
    /// then. Never affects other readers or the writer. Safe to call more than once, from any thread.
    /// </summary>
    public void Dispose()
    {
        int old = Interlocked.Or(ref _state, Disposed);
        if ((old & Disposed) != 0)
        {
            return;
        }

        if ((old & Busy) == 0)
        {
            Release();
        }
        else
        {
            _waiter.TryFail(new ObjectDisposedException(nameof(LiveReader)));
        }
    }

    /// <summary>Describes the reader (position, skips, state); never throws.</summary>
    /// <returns>A short description.</returns>
    public override string ToString() =>
        $"LiveReader Position = {Position}, Skipped = {BytesSkipped} bytes in {SkipCount} skips{(IsLapped ? ", lapped" : "")}{(IsDisposed ? ", disposed" : "")}";

    private void EnterOperation()
    {
        int old = Interlocked.CompareExchange(ref _state, Busy, 0);
        if (old != 0)
        {
            ThrowForState(old);
        }
    }

    private void ExitOperation()
    {
        int old = Interlocked.And(ref _state, ~Busy);
        if ((old & Disposed) != 0)
        {
            Release();
        }
    }

    private void ThrowForState(int state)
    {
        if ((state & Disposed) != 0)
        {
            ThrowHelper.ObjectDisposed(this);
        }

        ThrowHelper.ConcurrentReaderUse();
    }

    /// <summary>Runs once, when the reader is disposed and no call is in progress.</summary>
    private void Release()
    {
        EndSend();
        _cache.Unregister(this);
    }
}
