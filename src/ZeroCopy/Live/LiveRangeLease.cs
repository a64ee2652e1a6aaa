using System.Buffers;
using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using ZeroCopy.Diagnostics;
using ZeroCopy.Internal;
using ZeroCopy.Segments;

namespace ZeroCopy;

/// <summary>
/// The light lease under which <see cref="LiveCache.SendRangeAsync"/> sends one range of the ring (an HLS segment or
/// part): the lease half of a <see cref="LiveReader"/> and nothing else — no position, no preamble, no wait, no
/// registration per request. A cache keeps a few, reused; the writer's reclaim scans them as it scans its readers.
/// </summary>
/// <remarks>
/// The handshake with the writer is the reader's (<c>LiveReader.Lease.cs</c>, docs/design.md "Memory ordering"): publish
/// the socket, exchange the lease in (a full fence), then read the oldest intact position; the writer moves the oldest
/// position (a full fence), then cuts off every lease below it, shutting its socket down before it writes a byte of the
/// region. So the peer gets an intact prefix and then the end of the connection, never a torn byte.
/// </remarks>
[DebuggerDisplay("LiveRangeLease Start = {LeaseStart}, Lapped = {IsLapped}")]
internal sealed class LiveRangeLease
{
    private const long NoLease = long.MaxValue;

    private readonly LiveCache _cache;
    private long _lease = NoLease;  // the oldest position the send may still touch; shared with the writer
    private Socket? _socket;        // the socket the send is on, for the writer to shut down
    private int _lapped;            // set once when the writer cut the send off; reset when the lease is rented again
    private int _rented;            // 1 while a send uses this lease

    public LiveRangeLease(LiveCache cache) => _cache = cache;

    /// <summary>The oldest position leased, or <see cref="long.MaxValue"/> when none: what the writer's scan compares.</summary>
    public long LeaseStart => Volatile.Read(ref _lease);

    /// <summary>Whether the writer cut the send off.</summary>
    public bool IsLapped => Volatile.Read(ref _lapped) != 0;

    /// <summary>Claims the lease for one send; false when another send holds it.</summary>
    public bool TryRent()
    {
        if (Interlocked.CompareExchange(ref _rented, 1, 0) != 0)
        {
            return false;
        }

        Volatile.Write(ref _lapped, 0);
        return true;
    }

    /// <summary>
    /// Sends <c>[position, position + length)</c> under the lease, then gives the lease back for the next send. Returns
    /// false, having sent nothing, when the start was already reclaimed.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<bool> SendAsync(Socket socket, long position, long length, CancellationToken cancellationToken)
    {
        SegmentStore store = _cache.Store;
        if (!store.TryAcquire())
        {
            Return();
            ThrowHelper.ObjectDisposed(_cache);
        }

        long sent = position;
        try
        {
            // The reader's side of the Dekker pair: the socket, then the lease with a full fence, then the oldest position.
            Volatile.Write(ref _socket, socket);
            Interlocked.Exchange(ref _lease, position);
            if (position < _cache.OldestPosition)
            {
                return false;
            }

            ReadOnlySequence<byte> range = _cache.GetSequence(position, length);
            while (!range.IsEmpty)
            {
                long piece = Math.Min(range.Length, _cache.SendPieceSize);
                await SocketSender.SendAsync(socket, ReadOnlyMemory<byte>.Empty, range.Slice(0, piece), store, sent % _cache.Capacity, _cache.Capacity, _cache.ReaderSendOptions, cancellationToken).ConfigureAwait(false);
                sent += piece;
                range = range.Slice(piece);
                if (IsLapped)
                {
                    throw ThrowHelper.RangeLapped(sent, _cache.OldestPosition, null);
                }

                Volatile.Write(ref _lease, sent); // gives bytes back to the writer only: no fence needed
            }

            // Let go, then check seqlock-style that the writer did not reach what was sent.
            long lease = Interlocked.Exchange(ref _lease, NoLease);
            if (IsLapped || (lease != NoLease && _cache.OldestPosition > lease))
            {
                Volatile.Write(ref _lapped, 1); // the writer got there as the lease was let go: the bytes may be torn
                throw ThrowHelper.RangeLapped(sent, _cache.OldestPosition, null);
            }

            return true;
        }
        catch (Exception error) when (error is not LiveReaderLappedException && IsLapped)
        {
            throw ThrowHelper.RangeLapped(sent, _cache.OldestPosition, error);
        }
        finally
        {
            Volatile.Write(ref _lease, NoLease);
            Volatile.Write(ref _socket, null);
            store.Release();
            Return();
        }
    }

    /// <summary>
    /// Cuts the send off: marks the lease lapped (counted once) and shuts its socket down, so that no byte of a reused region
    /// can reach the peer. Called by the writer before it reuses a region this lease holds. Never waits.
    /// </summary>
    /// <remarks>
    /// The lease is re-read after the socket: a send that gave the lease back (or a new one that leased an intact position)
    /// is left alone. A new send that starts in the few instructions between that check and the cut-off would be cut off
    /// too: its connection ends early, it never gets a torn byte.
    /// </remarks>
    public void CutOff(long oldest)
    {
        Socket? socket = Volatile.Read(ref _socket);
        if (LeaseStart >= oldest || Interlocked.CompareExchange(ref _lapped, 1, 0) != 0)
        {
            return;
        }

        LiveMetrics.Disconnects.Add(1, new TagList(_cache.Tags) { { LiveMetrics.ReasonTag, LiveMetrics.ReasonInFlight } });
        socket?.ShutdownQuietly();
    }

    private void Return() => Volatile.Write(ref _rented, 0);
}
