using System.Buffers;
using MediaServer.Http;
using ZeroCopy;

namespace MediaServer.Endpoints;

/// <summary>Sends a response head and its body straight from a <see cref="VideoCache"/>: no copy in user space.</summary>
/// <param name="copySlices">
/// For load comparisons only (<c>--copy-slices</c>): copy each piece into a pooled buffer and send that instead, the
/// naive approach the zero-copy path is measured against.
/// </param>
internal sealed class CacheBody(bool copySlices = false)
{
    /// <summary>
    /// Ends the exchange's response head and sends it with <c>[offset, offset + length)</c> of <paramref name="cache"/>
    /// (nothing of the cache for a HEAD request). The library decides the system calls and enforces the connection's
    /// stall timeout (<see cref="HttpLimits.SendOptions"/>): a client that stops reading is dropped, a slow one is not.
    /// </summary>
    public async ValueTask SendAsync(HttpExchange exchange, VideoCache cache, long offset, long length)
    {
        if (exchange.Request.IsHead)
        {
            await exchange.SendHeadAsync().ConfigureAwait(false);
        }
        else if (!copySlices)
        {
            await exchange.SendHeadAndRangeAsync(cache, offset, length).ConfigureAwait(false);
        }
        else
        {
            await exchange.SendHeadAsync().ConfigureAwait(false);
            for (long sent = 0; sent < length;)
            {
                int piece = (int)Math.Min(length - sent, SocketExtensions.DefaultMaxSendSize);
                await SendCopyAsync(exchange, cache, offset + sent, piece).ConfigureAwait(false);
                sent += piece;
                exchange.BodyBytesSent += piece;
            }
        }
    }

    private static async ValueTask SendCopyAsync(HttpExchange exchange, VideoCache cache, long offset, int length)
    {
        byte[] copy = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            cache.ReadSlice(offset, length).CopyTo(copy);
            await exchange.Socket.SendWithHeadAsync(ReadOnlyMemory<byte>.Empty, new ReadOnlySequence<byte>(copy, 0, length), exchange.Limits.SendOptions, exchange.Stopping).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(copy);
        }
    }
}
