using System.Buffers;
using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using MediaServer.Diagnostics;
using MediaServer.Hosting;
using Microsoft.Extensions.Logging;
using ZeroCopy;

namespace MediaServer.Http;

/// <summary>
/// One client connection's loop: waits for a request, has its head read and parsed strictly, hands it to the handler,
/// logs it, and keeps the connection alive between requests until the client closes it, it idles out, or a request asks
/// (or forces) it to close. The connection's state (socket, head buffer, timer, response writer) has one owner, the
/// <see cref="HttpExchange"/> the loop makes when it starts and disposes when it ends; the loop holds only its policy.
/// </summary>
/// <remarks>
/// The head buffer is rented only while a request head is being read (and while a request with bytes after its head is
/// handled): an idle keep-alive connection waits with a zero-byte receive and holds no buffer, nor does a held request.
/// Response bodies never pass through it.
/// </remarks>
internal sealed class HttpConnection
{
    private const int MaxDrainBytes = 64 * 1024;
    private static readonly TimeSpan s_drainTimeout = TimeSpan.FromSeconds(1);

    private readonly IHttpHandler _handler;
    private readonly ILogger _logger;
    private readonly Socket _socket;
    private readonly HttpLimits _limits;
    private readonly CancellationToken _stopping;
    private bool _servedOne; // Whether a request was served: the first waits FirstRequestTimeout, later ones IdleTimeout.

    public HttpConnection(Socket socket, IHttpHandler handler, HttpLimits limits, ILogger logger, CancellationToken stopping)
    {
        _handler = handler;
        _logger = logger;
        _socket = socket;
        _limits = limits;
        _stopping = stopping;
    }

    /// <summary>Serves requests until the connection ends; never throws (errors end the connection and are logged).</summary>
    public async Task RunAsync()
    {
        string remote = _socket.RemoteEndPoint?.ToString() ?? "?";
        ServerLog.ConnectionOpened(_logger, remote);
        var exchange = new HttpExchange(_socket, _limits, _stopping); // the connection's state, and the request being served
        try
        {
            while (await ServeOneAsync(exchange).ConfigureAwait(false))
            {
            }
        }
        catch (Exception e) when (SocketErrors.IsDisconnect(e))
        {
            ServerLog.ConnectionDropped(_logger, remote, exchange.TimedOut ? "timed out" : e.Message);
        }
        catch (Exception e)
        {
            ServerLog.ConnectionFailed(_logger, remote, e);
        }
        finally
        {
            exchange.Dispose();
            ServerLog.ConnectionClosed(_logger, remote);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))] // one per request: pooled, not allocated
    private async ValueTask<bool> ServeOneAsync(HttpExchange exchange)
    {
        if (!exchange.HasBuffered)
        {
            try
            {
                await exchange.WaitForRequestAsync(_servedOne ? _limits.IdleTimeout : _limits.FirstRequestTimeout).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (exchange.TimedOut)
            {
                return false; // Idle too long: close quietly.
            }
        }

        HttpParseResult result;
        try
        {
            result = await exchange.ReadHeadAsync().ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (exchange.TimedOut)
        {
            exchange.ResetTimer(); // Re-arms the timer with a fresh source so the 408 can still be sent.
            result = HttpParseResult.Invalid(HttpStatus.RequestTimeout, $"request head not received within {_limits.HeadTimeout.TotalSeconds:0} s");
        }

        if (result.Status == HttpParseStatus.Incomplete)
        {
            return false; // The client closed the connection (between requests, or mid-head).
        }

        if (result.Status == HttpParseStatus.Invalid)
        {
            await RejectAsync(exchange, result).ConfigureAwait(false);
            return false;
        }

        HttpRequest request = result.Request!;
        exchange.ConsumeHead(result.HeadLength);
        _servedOne = true;
        exchange.Begin(request, request.KeepAlive);
        long started = Stopwatch.GetTimestamp();
        ServerMetrics.RequestStarted(request.Method);
        try
        {
            await _handler.HandleAsync(exchange).ConfigureAwait(false);
        }
        catch (Exception e) when (!SocketErrors.IsDisconnect(e) && exchange.Status == 0)
        {
            // A fault before any byte of the response: tell the client, then end the connection (logged by RunAsync).
            await exchange.SendErrorAsync(HttpStatus.InternalServerError, "the server failed to answer", close: true).ConfigureAwait(false);
            throw;
        }
        finally
        {
            ServerMetrics.RequestEnded(request.Method, exchange.Route, exchange.Status, started);
            LogRequest(request, exchange, started);
        }

        if (!exchange.KeepAlive)
        {
            await CloseGracefullyAsync(exchange).ConfigureAwait(false);
            return false;
        }

        return true;
    }

    /// <summary>Answers a head that did not parse (or did not arrive in time) with its error status, then closes the connection.</summary>
    /// <remarks>Off the per-request path: only a rejected head comes here.</remarks>
    private async ValueTask RejectAsync(HttpExchange exchange, HttpParseResult result)
    {
        ServerLog.BadRequest(_logger, _socket.RemoteEndPoint?.ToString() ?? "?", result.ErrorStatus, result.Error!);
        exchange.BeginRejection();
        await exchange.SendErrorAsync(result.ErrorStatus, result.Error!, close: true).ConfigureAwait(false);
        await CloseGracefullyAsync(exchange).ConfigureAwait(false);
    }

    /// <summary>The request's log line, when Information is enabled. Synchronous.</summary>
    private void LogRequest(HttpRequest request, HttpExchange exchange, long started)
    {
        if (_logger.IsEnabled(LogLevel.Information))
        {
            // Checked here: the loggable target is a new string, not worth making for a line nobody reads.
            ServerLog.Request(_logger, request.Method, request.LoggableTarget, exchange.Status, exchange.BodyBytesSent, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    /// <summary>
    /// Ends the connection without losing the response: shut down sending, then read and discard what the client still
    /// sends (bounded in bytes and time), so that closing does not reset the connection under an unread response.
    /// </summary>
    private static async ValueTask CloseGracefullyAsync(HttpExchange exchange)
    {
        Socket socket = exchange.Socket;
        try
        {
            socket.Shutdown(SocketShutdown.Send);
            byte[] scratch = ArrayPool<byte>.Shared.Rent(4096);
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(exchange.Stopping);
                timeout.CancelAfter(s_drainTimeout);
                for (int drained = 0; drained < MaxDrainBytes;)
                {
                    int received = await SocketLoop.ReceiveAsync(socket, scratch, timeout.Token).ConfigureAwait(false);
                    if (received == 0)
                    {
                        break;
                    }

                    drained += received;
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(scratch);
            }
        }
        catch (Exception e) when (SocketErrors.IsDisconnect(e) || e is SocketException)
        {
            // The client went first, or the socket was already shut down: nothing left to do.
        }
    }
}
