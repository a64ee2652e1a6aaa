using System.Diagnostics;
using System.Net.Sockets;
using ZeroCopy.Diagnostics;
using ZeroCopy.Internal;

namespace ZeroCopy;

// The reader's half of the lease handshake with the writer's reclaim (LiveCache.Reclaim.cs): take the lease, move it
// on, give it back and check, seqlock-style, that the writer did not reach it; and the cut-off the writer applies
// when it did.
public sealed partial class LiveReader
{
    /// <summary>
    /// Takes the lease on <paramref name="position"/>, then reads the oldest intact position: the reader's side of the
    /// Dekker pair with <see cref="LiveCache"/>'s reclaim. With the exchange's full fence between them, either this sees the
    /// writer's new oldest position, or the writer's scan sees this lease and cuts the reader off before reusing the region.
    /// </summary>
    /// <param name="position">The first byte the reader is about to use.</param>
    /// <param name="socket">The socket the bytes will be sent on, so that a cut-off can shut it down; or <see langword="null"/>.</param>
    /// <param name="oldest">The oldest intact position read after the lease was published.</param>
    /// <returns><see langword="true"/> with the lease held when <paramref name="position"/> is intact; otherwise <see langword="false"/>, the lease dropped.</returns>
    private bool TryTakeLease(long position, Socket? socket, out long oldest)
    {
        if (socket is not null)
        {
            Volatile.Write(ref _sendSocket, socket);
        }

        Interlocked.Exchange(ref _lease, position);
        oldest = _cache.OldestPosition;
        if (position >= oldest)
        {
            return true;
        }

        DropLease();
        return false;
    }

    /// <summary>Moves a send's lease on to <paramref name="position"/>: it only gives bytes back to the writer, so no fence is needed.</summary>
    private void MoveLeaseForward(long position) => Volatile.Write(ref _lease, position);

    /// <summary>Drops the lease without the seqlock check: for a lease taken on bytes that were not handed out.</summary>
    private void DropLease() => Volatile.Write(ref _lease, NoLease);

    /// <summary>Ends a send: drops its lease and forgets its socket, so that a later cut-off cannot shut that socket down.</summary>
    private void EndSend()
    {
        Volatile.Write(ref _lease, NoLease);
        Volatile.Write(ref _sendSocket, null);
    }

    /// <summary>
    /// Cuts the reader off: marks it lapped (counted once) and, if it is sending, shuts its socket down so that no byte of
    /// a reused region can reach the peer. Called by the writer before it reuses a region this reader leases, or by the
    /// reader itself. Never waits.
    /// </summary>
    internal void CutOff(string reason)
    {
        // Once: the first cut-off sees the socket of any send in flight (it is published before the lease it goes with)
        // and shuts it down; a later reclaim finds the reader lapped and leaves it alone.
        if (Interlocked.CompareExchange(ref _lapped, 1, 0) != 0)
        {
            return;
        }

        _cutOffReason = reason;
        TagList tags = new(_cache.Tags) { { LiveMetrics.ReasonTag, reason } };
        LiveMetrics.Disconnects.Add(1, tags);
        Socket? socket = Volatile.Read(ref _sendSocket);
        if (socket is not null)
        {
            Interlocked.Increment(ref _shutdowns);
            socket.ShutdownQuietly();
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
            ThrowHelper.Lapped(this, _position, _cache.OldestPosition);
        }
    }
}
