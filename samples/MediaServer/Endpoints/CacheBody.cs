using System.Buffers;
using MediaServer.Http;
using ZeroCopy;

namespace MediaServer.Endpoints;

/// <summary>Sends response bodies straight from a <see cref="VideoCache"/>: no copy in user space.</summary>
/// <param name="copySlices">
/// For load comparisons only (<c>--copy-slices</c>): copy each piece into a pooled buffer and send that instead, the
/// naive approach the zero-copy path is measured against.
/// </param>
internal sealed class CacheBody(bool copySlices = false)
{
    /// <summary>
    /// Sends <c>[offset, offset + length)</c> of <paramref name="cache"/> with <see cref="VideoCache.SendToAsync"/>, in
    /// pieces of <see cref="SocketExtensions.DefaultMaxSendSize"/>, each under the connection's stall timeout, so a
    /// client that stops reading is dropped instead of holding the connection forever.
    /// </summary>
    public async ValueTask SendAsync(HttpExchange exchange, VideoCache cache, long offset, long length)
    {
        for (long sent = 0; sent < length;)
        {
            int piece = (int)Math.Min(length - sent, SocketExtensions.DefaultMaxSendSize);
            CancellationToken token = exchange.BeginIo();
            if (copySlices)
            {
                await SendCopyAsync(exchange, cache, offset + sent, piece, token).ConfigureAwait(false);
            }
            else
            {
                await cache.SendToAsync(exchange.Socket, offset + sent, piece, token).ConfigureAwait(false);
            }

            exchange.EndIo();
            sent += piece;
            exchange.BodyBytesSent += piece;
        }
    }

    private static async ValueTask SendCopyAsync(HttpExchange exchange, VideoCache cache, long offset, int length, CancellationToken token)
    {
        byte[] copy = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            cache.ReadSlice(offset, length).CopyTo(copy);
            await exchange.Socket.SendAsync(new ReadOnlySequence<byte>(copy, 0, length), token).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(copy);
        }
    }
}
