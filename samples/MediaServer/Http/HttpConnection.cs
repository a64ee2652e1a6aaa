using System.Buffers;
using System.Diagnostics;
using System.Net.Sockets;
using MediaServer.Diagnostics;
using MediaServer.Hosting;
using Microsoft.Extensions.Logging;
using ZeroCopy;

namespace MediaServer.Http;

/// <summary>
/// One client connection: reads request heads into a bounded buffer, parses them strictly, hands each request to the
/// handler, and keeps the connection alive between requests until the client closes it, it idles out, or a request
/// asks (or forces) it to close.
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
    private byte[]? _buffer;
    private int _start;
    private int _end;
    private bool _servedOne; // Whether a request was served: the first waits FirstRequestTimeout, later ones IdleTimeout.

    public HttpConnection(Socket socket, IHttpHandler handler, HttpLimits limits, ILogger logger, CancellationToken stopping)
    {
        Socket = socket;
        _handler = handler;
        Limits = limits;
        _logger = logger;
        Stopping = stopping;
        Timer = new IoTimer(stopping);
    }

    public Socket Socket { get; }

    public HttpLimits Limits { get; }

    public CancellationToken Stopping { get; }

    internal IoTimer Timer { get; }

    internal ResponseHead Head { get; } = new();

    internal ReadOnlyMemory<byte> Buffered => _buffer is null ? default : _buffer.AsMemory(_start, _end - _start);

    internal void ConsumeBuffered(int count)
    {
        Debug.Assert((uint)count <= (uint)(_end - _start), $"consumed {count} of {_end - _start} buffered bytes");
        _start += count;
    }

    /// <summary>Serves requests until the connection ends; never throws (errors end the connection and are logged).</summary>
    public async Task RunAsync()
    {
        string remote = Socket.RemoteEndPoint?.ToString() ?? "?";
        ServerLog.ConnectionOpened(_logger, remote);
        try
        {
            while (await ServeOneAsync().ConfigureAwait(false))
            {
            }
        }
        catch (Exception e) when (SocketErrors.IsDisconnect(e))
        {
            ServerLog.ConnectionDropped(_logger, remote, Timer.TimedOut ? "timed out" : e.Message);
        }
        catch (Exception e)
        {
            ServerLog.ConnectionFailed(_logger, remote, e);
        }
        finally
        {
            Socket.Dispose();
            Timer.Dispose();
            ReturnBuffer();
            ServerLog.ConnectionClosed(_logger, remote);
        }
    }

    private async ValueTask<bool> ServeOneAsync()
    {
        if (_start == _end)
        {
            // Idle between requests: wait for data without holding a buffer, on the library's socket loop, which then runs
            // this connection on its own thread (no thread-pool hand-off per request).
            ReturnBuffer();
            try
            {
                TimeSpan idle = _servedOne ? Limits.IdleTimeout : Limits.FirstRequestTimeout;
                await SocketLoop.WaitReadableAsync(Socket, Timer.Start(idle)).ConfigureAwait(false);
                Timer.Stop();
            }
            catch (OperationCanceledException) when (Timer.TimedOut)
            {
                return false; // Idle too long: close quietly.
            }
        }

        _buffer ??= ArrayPool<byte>.Shared.Rent(Limits.MaxHeadSize);
        HttpParseResult result;
        try
        {
            result = await ReadHeadAsync().ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (Timer.TimedOut)
        {
            Timer.Stop(); // Re-arms the timer with a fresh source so the 408 can still be sent.
            result = HttpParseResult.Invalid(HttpStatus.RequestTimeout, $"request head not received within {Limits.HeadTimeout.TotalSeconds:0} s");
        }

        if (result.Status == HttpParseStatus.Incomplete)
        {
            return false; // The client closed the connection (between requests, or mid-head).
        }

        if (result.Status == HttpParseStatus.Invalid)
        {
            await RejectAsync(result).ConfigureAwait(false);
            return false;
        }

        HttpRequest request = result.Request!;
        ConsumeHead(result.HeadLength);
        var exchange = new HttpExchange(this, request);
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
            await CloseGracefullyAsync().ConfigureAwait(false);
            return false;
        }

        return true;
    }

    /// <summary>Answers a head that did not parse (or did not arrive in time) with its error status, then closes the connection.</summary>
    /// <remarks>Off the per-request path: only a rejected head comes here.</remarks>
    private async ValueTask RejectAsync(HttpParseResult result)
    {
        ServerLog.BadRequest(_logger, Socket.RemoteEndPoint?.ToString() ?? "?", result.ErrorStatus, result.Error!);
        var rejected = new HttpExchange(this, new HttpRequest("GET", "/", isHttp11: true, [], null, isChunked: false)) { KeepAlive = false };
        await rejected.SendErrorAsync(result.ErrorStatus, result.Error!, close: true).ConfigureAwait(false);
        await CloseGracefullyAsync().ConfigureAwait(false);
    }

    /// <summary>Moves past a parsed head of <paramref name="headLength"/> bytes. Synchronous, no allocation.</summary>
    private void ConsumeHead(int headLength)
    {
        _start += headLength;
        _servedOne = true;
        if (_start == _end)
        {
            // Nothing follows the head (no body bytes, no pipelined request): give the buffer back before the handler
            // runs. A request held for long (a blocking playlist reload) then holds none, and the pool gets it back on
            // the thread that rented it, where it is reused at once instead of a new one being allocated.
            ReturnBuffer();
        }
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

    private async ValueTask<HttpParseResult> ReadHeadAsync()
    {
        Debug.Assert(_buffer is not null, "the head buffer is rented before reading");
        CancellationToken token = Timer.Start(Limits.HeadTimeout);
        while (true)
        {
            HttpParseResult result = HttpRequestParser.Parse(_buffer.AsSpan(_start, _end - _start), Limits);
            if (result.Status != HttpParseStatus.Incomplete)
            {
                Timer.Stop();
                return result;
            }

            if (_end == _buffer.Length)
            {
                // Only a head that started late in the buffer can get here (the parser rejects a full-size head):
                // move its first bytes to the front. This copies header bytes only, never a body.
                Debug.Assert(_start > 0, "a head as large as the buffer is rejected by the parser");
                _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
                _end -= _start;
                _start = 0;
            }

            int received = await SocketLoop.ReceiveAsync(Socket, _buffer.AsMemory(_end), token).ConfigureAwait(false);
            if (received == 0)
            {
                Timer.Stop();
                return HttpParseResult.Incomplete;
            }

            _end += received;
        }
    }

    /// <summary>
    /// Ends the connection without losing the response: shut down sending, then read and discard what the client still
    /// sends (bounded in bytes and time), so that closing does not reset the connection under an unread response.
    /// </summary>
    private async ValueTask CloseGracefullyAsync()
    {
        try
        {
            Socket.Shutdown(SocketShutdown.Send);
            byte[] scratch = ArrayPool<byte>.Shared.Rent(4096);
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Stopping);
                timeout.CancelAfter(s_drainTimeout);
                for (int drained = 0; drained < MaxDrainBytes;)
                {
                    int received = await SocketLoop.ReceiveAsync(Socket, scratch, timeout.Token).ConfigureAwait(false);
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

    private void ReturnBuffer()
    {
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
            _start = _end = 0;
        }
    }
}
