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
    /// What one stall timeout covers: two of the library's send pieces. Longer than one piece so that a long range
    /// reaches <see cref="VideoCache.SendToAsync"/> in calls that a mapped cache sends with <c>sendfile(2)</c> (it sends
    /// a call of one piece or less with <c>send(2)</c>); short enough that a client reading 35 KB/s is not dropped.
    /// </summary>
    internal const int StallWindow = 2 * SocketExtensions.DefaultMaxSendSize;

    /// <summary>
    /// Sends <c>[offset, offset + length)</c> of <paramref name="cache"/> with <see cref="VideoCache.SendToAsync"/>, in
    /// calls of at most <see cref="StallWindow"/> bytes, each under the connection's stall timeout, so a client that stops
    /// reading is dropped instead of holding the connection forever.
    /// </summary>
    public async ValueTask SendAsync(HttpExchange exchange, VideoCache cache, long offset, long length)
    {
        for (long sent = 0; sent < length;)
        {
            int piece = (int)Math.Min(length - sent, copySlices ? SocketExtensions.DefaultMaxSendSize : StallWindow);
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
