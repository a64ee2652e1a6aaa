using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net.Sockets;
using ZeroCopy.Internal;

namespace ZeroCopy;

/// <summary>
/// One viewer of a <see cref="LiveCache"/>: its own 64-bit position in the stream, zero-copy reads of the bytes past it,
/// asynchronous waits for more, and sends straight from the ring. Created by <see cref="LiveCache.CreateReader"/>.
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
    private const long NoLease = long.MaxValue;
    private const int Busy = 1;
    private const int Disposed = 2;

    private readonly LiveCache _cache;
    private readonly LiveReaderWaiter _waiter;

    // Owned by the reader's consumer (one call at a time); some are also read by other threads through Volatile.
    private long _position;
    private long _bufferEnd;
    private ReadOnlyMemory<byte> _preamble;
    private long _preambleEnd;
    private bool _awaitingSyncPoint;
    private bool _awaitingAfterSkip;
    private long _skipFrom;
    private long _pendingSkipped;
    private long _bytesSkipped;
    private int _skipCount;

    // Shared with the writer: the lease (oldest position this reader may still touch), the socket it sends on, the cut-off.
    private long _lease = NoLease;
    private Socket? _sendSocket;
    private int _lapped;
    private string? _cutOffReason;
    private int _state;

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
            LiveThrowHelper.AdvanceOutOfRange(position, _position, _bufferEnd);
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

    /// <summary>
    /// Cuts the reader off: marks it lapped (counted once) and, if it is sending, shuts its socket down so that no byte of
    /// a reused region can reach the peer. Called by the writer before it reuses a region this reader leases, or by the
    /// reader itself. Never waits.
    /// </summary>
    internal void CutOff(string reason)
    {
        if (Interlocked.CompareExchange(ref _lapped, 1, 0) == 0)
        {
            _cutOffReason = reason;
            TagList tags = new(_cache.Tags) { { LiveMetrics.ReasonTag, reason } };
            LiveMetrics.Disconnects.Add(1, tags);
        }

        Socket? socket = Volatile.Read(ref _sendSocket);
        if (socket is not null)
        {
            ShutdownQuietly(socket);
        }
    }

    private static void ShutdownQuietly(Socket socket)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // Not connected any more: nothing can be sent on it either.
        }
        catch (ObjectDisposedException)
        {
            // Closed by its owner: nothing can be sent on it either.
        }
    }

    /// <summary>
    /// Ends the lease on the last buffer, then checks, seqlock-style, that the writer did not reach it. The exchange is a
    /// full fence: the caller's reads of the buffer happen before it, the checks after it; and once it is done the writer
    /// no longer sees the lease, so a reclaim that starts later cannot cut off a reader that has already let go.
    /// </summary>
    private void ReleaseLease()
    {
        long lease = Interlocked.Exchange(ref _lease, NoLease);
        if (Volatile.Read(ref _lapped) != 0 || (lease != NoLease && _cache.OldestPosition > lease))
        {
            CutOff(LiveMetrics.ReasonInFlight);
            LiveThrowHelper.Lapped(this, _position, _cache.OldestPosition);
        }
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
            LiveMetrics.BytesSkipped.Add(skipped, _cache.Tags);
        }

        _preamble = preamble;
        _preambleEnd = syncPoint;
        _bufferEnd = syncPoint - preamble.Length;
        Volatile.Write(ref _position, _bufferEnd);
    }

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

        LiveThrowHelper.ConcurrentReaderUse();
    }

    /// <summary>Runs once, when the reader is disposed and no call is in progress.</summary>
    private void Release()
    {
        Volatile.Write(ref _lease, NoLease);
        Volatile.Write(ref _sendSocket, null);
        _cache.Unregister(this);
    }
}
