using System.Buffers;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace ZeroCopy;

// Random access: one range of the ring sent whole, on the same leased, piecewise send path as a viewer's stream
// (SendPiecesAsync), for LiveCache.SendRangeAsync.
public sealed partial class LiveReader
{
    /// <summary>
    /// Sends <c>[position, position + length)</c>, which the caller checked is published: leases it, or returns
    /// <see langword="false"/> without sending a byte when it is already reclaimed; then sends it in pieces, moving the
    /// lease on after each. A reclaim that reaches the range mid-send shuts the socket down and throws
    /// <see cref="LiveReaderLappedException"/>, like a viewer's send.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    internal async ValueTask<bool> SendRangeAsync(Socket socket, long position, long length, CancellationToken cancellationToken)
    {
        EnterOperation();
        try
        {
            _cache.ThrowIfDisposed();
            if (!TryTakeLease(position, socket, out _))
            {
                return false;
            }

            ReadOnlySequence<byte> range = _cache.GetSequence(position, length);
            await SendPiecesAsync(socket, range, position, isPreamble: false, stopWhenLagging: false, withSendFile: true, cancellationToken).ConfigureAwait(false);
            ReleaseLease(); // Throws if the writer cut the send off before it let go.
            return true;
        }
        finally
        {
            EndSend();
            ExitOperation();
        }
    }
}
