using System.Net.Sockets;
using MediaServer.Http;
using MediaServer.Live;
using ZeroCopy;

namespace MediaServer.Endpoints;

/// <summary>
/// Receives an HTTP request body (chunked, as ffmpeg sends a PUT, or with a Content-Length) into a <see cref="LiveCache"/>.
/// Payload bytes go straight from the socket into the ring with <see cref="LiveCache.ReceiveIntoAsync"/>; only the
/// chunk framing (size lines and CRLFs, a few bytes each) is read separately, peeked first so that a receive never
/// takes payload bytes by mistake. Body bytes the head parser had already received are written with
/// <see cref="LiveCache.Write"/>: the one copy, bounded by the head buffer.
/// </summary>
internal static class HttpIngest
{
    // Enough for a chunk-size line with a short extension; longer framing just takes more peeks.
    private const int FramingPeekSize = 32;

    /// <summary>Receives a chunked body into <paramref name="cache"/>.</summary>
    /// <returns><see langword="true"/> when the last chunk and trailers arrived; <see langword="false"/> when the client closed first.</returns>
    /// <exception cref="InvalidDataException">The chunk framing is malformed.</exception>
    public static async ValueTask<bool> ReceiveChunkedAsync(HttpExchange exchange, LiveCache cache)
    {
        var decoder = new ChunkedBodyDecoder();

        // First what the head parser already holds: framing is parsed in place, payload is written (copied) into the ring.
        while (!decoder.IsCompleted && !exchange.Buffered.IsEmpty)
        {
            ReadOnlyMemory<byte> buffered = exchange.Buffered;
            if (decoder.IsInData)
            {
                int length = (int)Math.Min(decoder.RemainingInChunk, buffered.Length);
                cache.Write(buffered.Span[..length]);
                decoder.ConsumeData(length);
                exchange.ConsumeBuffered(length);
            }
            else
            {
                exchange.ConsumeBuffered(decoder.ConsumeFraming(buffered.Span));
            }
        }

        // Then the socket: payload straight into the ring, framing through a small peek buffer.
        Socket socket = exchange.Socket;
        byte[] framing = new byte[FramingPeekSize];
        while (!decoder.IsCompleted)
        {
            CancellationToken token = exchange.BeginIo();
            if (decoder.IsInData)
            {
                int received = await cache.ReceiveIntoAsync(socket, (int)Math.Min(decoder.RemainingInChunk, LiveChannel.MaxReceiveSize), token).ConfigureAwait(false);
                exchange.EndIo();
                if (received == 0)
                {
                    return false;
                }

                decoder.ConsumeData(received);
            }
            else
            {
                int peeked = await socket.ReceiveAsync(framing, SocketFlags.Peek, token).ConfigureAwait(false);
                if (peeked == 0)
                {
                    exchange.EndIo();
                    return false;
                }

                // The decoder stops at the first payload byte, so exactly the framing bytes are then taken off the socket.
                int framingBytes = decoder.ConsumeFraming(framing.AsSpan(0, peeked));
                await socket.ReceiveFullyAsync(framing.AsMemory(0, framingBytes), token).ConfigureAwait(false);
                exchange.EndIo();
            }
        }

        return true;
    }

    /// <summary>Receives a body of <paramref name="length"/> bytes into <paramref name="cache"/>.</summary>
    /// <returns><see langword="true"/> when the whole body arrived; <see langword="false"/> when the client closed first.</returns>
    public static async ValueTask<bool> ReceiveLengthAsync(HttpExchange exchange, LiveCache cache, long length)
    {
        ReadOnlyMemory<byte> buffered = exchange.Buffered;
        if (!buffered.IsEmpty)
        {
            int take = (int)Math.Min(buffered.Length, length);
            cache.Write(buffered.Span[..take]);
            exchange.ConsumeBuffered(take);
            length -= take;
        }

        while (length > 0)
        {
            CancellationToken token = exchange.BeginIo();
            int received = await cache.ReceiveIntoAsync(exchange.Socket, (int)Math.Min(length, LiveChannel.MaxReceiveSize), token).ConfigureAwait(false);
            exchange.EndIo();
            if (received == 0)
            {
                return false;
            }

            length -= received;
        }

        return true;
    }
}
