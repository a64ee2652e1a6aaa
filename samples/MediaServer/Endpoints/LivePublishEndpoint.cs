using MediaServer.Diagnostics;
using MediaServer.Hosting;
using MediaServer.Http;
using MediaServer.Live;
using Microsoft.Extensions.Logging;

namespace MediaServer.Endpoints;

/// <summary>
/// PUT /live/{name} : publishes channel {name} from the request body, an MPEG-TS (ffmpeg's
/// <c>-method PUT -f mpegts http://…/live/cam1</c> sends it chunked). The body is received straight into the channel's
/// ring; when it ends, the channel ends and the response is 204. When publishing needs a credential, it comes in the
/// query: <c>?key=K</c> or <c>?expires=E&amp;token=T</c> (see <see cref="PublishCredentials"/>).
/// </summary>
internal sealed class LivePublishEndpoint(LiveChannelRegistry channels, ILogger logger)
{
    private static readonly ReadOnlyMemory<byte> s_continue = "HTTP/1.1 100 Continue\r\n\r\n"u8.ToArray();

    public async ValueTask HandleAsync(HttpExchange exchange, string name)
    {
        HttpRequest request = exchange.Request;
        if (!ChannelName.IsValid(name))
        {
            await exchange.SendErrorAsync(HttpStatus.BadRequest, $"a channel name is 1 to {ChannelName.MaxLength} of A-Z a-z 0-9 _ - .", close: request.HasBody).ConfigureAwait(false);
            return;
        }

        if (!request.HasBody)
        {
            await exchange.SendErrorAsync(HttpStatus.BadRequest, "PUT /live/{name} takes the stream as its body (chunked, or with a Content-Length)").ConfigureAwait(false);
            return;
        }

        string remote = exchange.Socket.RemoteEndPoint?.ToString() ?? "?";
        LiveChannel? channel = channels.TryStartPublishing(name, exchange.Socket.RemoteEndPoint, "http", request.Query, out PublishRefusal refusal);
        if (channel is null)
        {
            string why = channels.Describe(refusal, name);
            ServerLog.PublishRefused(logger, name, remote, why);
            await exchange.SendErrorAsync(StatusOf(refusal), why, close: true).ConfigureAwait(false);
            return;
        }

        ServerLog.PublishStarted(logger, name, remote, request.IsChunked ? "HTTP PUT, chunked" : "HTTP PUT");
        Exception? error = null;
        string reason = "the body ended";
        try
        {
            if (request.ExpectsContinue)
            {
                await exchange.Socket.SendAsync(s_continue, System.Net.Sockets.SocketFlags.None, exchange.BeginIo()).ConfigureAwait(false);
                exchange.EndIo();
            }

            bool complete = request.IsChunked
                ? await HttpIngest.ReceiveChunkedAsync(exchange, channel.Cache).ConfigureAwait(false)
                : await HttpIngest.ReceiveLengthAsync(exchange, channel.Cache, request.ContentLength!.Value).ConfigureAwait(false);
            if (!complete)
            {
                reason = request.IsChunked
                    ? "the publisher closed its side before the last chunk"
                    : $"the publisher closed its side after {channel.BytesReceived} of {request.ContentLength} body bytes";
                await AnswerTruncatedBodyAsync(exchange, reason).ConfigureAwait(false);
                return;
            }

            exchange.StartResponse(HttpStatus.NoContent);
            await exchange.SendHeadAsync().ConfigureAwait(false);
        }
        catch (InvalidDataException e)
        {
            error = e;
            reason = e.Message;
            await exchange.SendErrorAsync(HttpStatus.BadRequest, e.Message, close: true).ConfigureAwait(false);
        }
        catch (Exception e) when (SocketErrors.IsDisconnect(e))
        {
            reason = exchange.Stopping.IsCancellationRequested ? "the server is stopping" : "the connection failed or stalled: " + e.Message;
            throw;
        }
        finally
        {
            channels.EndPublishing(channel, error);
            ServerLog.PublishEnded(logger, name, channel.BytesReceived, reason);
        }
    }

    /// <summary>
    /// Answers a body that ended early with 400 and closes: a publisher that only shut down its sending side still reads
    /// why; one that is gone entirely cannot be answered, which is the expected end of its connection, not a fault.
    /// </summary>
    private static async ValueTask AnswerTruncatedBodyAsync(HttpExchange exchange, string reason)
    {
        try
        {
            await exchange.SendErrorAsync(HttpStatus.BadRequest, reason, close: true).ConfigureAwait(false);
        }
        catch (Exception e) when (SocketErrors.IsDisconnect(e) || e is System.Net.Sockets.SocketException)
        {
            exchange.KeepAlive = false;
        }
    }

    /// <summary>
    /// The HTTP answer to a refused publisher: 403 for a missing, invalid or expired credential, 409 for a name already
    /// published, 503 over a budget (channels in all or from one address, memory).
    /// </summary>
    private static int StatusOf(PublishRefusal refusal) => refusal switch
    {
        PublishRefusal.CredentialMissing or PublishRefusal.CredentialInvalid or PublishRefusal.CredentialExpired => HttpStatus.Forbidden,
        PublishRefusal.ChannelBusy => HttpStatus.Conflict,
        PublishRefusal.TooManyChannels or PublishRefusal.TooManyChannelsFromAddress or PublishRefusal.OverMemoryBudget => HttpStatus.ServiceUnavailable,
        _ => throw new ArgumentOutOfRangeException(nameof(refusal), refusal, "not a reason to refuse a publisher"),
    };
}
