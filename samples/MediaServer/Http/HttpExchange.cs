using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace MediaServer.Http;

/// <summary>
/// One request and its response on a connection: the parsed head, the socket for the body (sent straight from a cache,
/// or received straight into one), the response-head writer, and the connection's stall timer.
/// </summary>
[DebuggerDisplay("{Request} -> {Status}")]
internal sealed class HttpExchange
{
    private readonly HttpConnection _connection;

    internal HttpExchange(HttpConnection connection, HttpRequest request)
    {
        _connection = connection;
        Request = request;
        KeepAlive = request.KeepAlive;
    }

    public HttpRequest Request { get; }

    /// <summary>The connection's socket: bodies go straight between it and the caches.</summary>
    public Socket Socket => _connection.Socket;

    /// <summary>The limits, for handlers that receive a body or stream for long.</summary>
    public HttpLimits Limits => _connection.Limits;

    /// <summary>Canceled when the server stops.</summary>
    public CancellationToken Stopping => _connection.Stopping;

    /// <summary>Whether the connection stays open for another request after this one. Handlers clear it to close.</summary>
    public bool KeepAlive { get; set; }

    /// <summary>The status sent (0 until a head is sent), for the request log.</summary>
    public int Status { get; private set; }

    /// <summary>Body bytes sent so far, for the request log.</summary>
    public long BodyBytesSent { get; set; }

    /// <summary>Bytes received after the head and not yet consumed: the start of a body, or a pipelined request.</summary>
    /// <remarks>Valid until <see cref="ConsumeBuffered"/> or the next receive on the connection.</remarks>
    public ReadOnlyMemory<byte> Buffered => _connection.Buffered;

    /// <summary>Marks the first <paramref name="count"/> buffered bytes as consumed (they were body bytes).</summary>
    public void ConsumeBuffered(int count) => _connection.ConsumeBuffered(count);

    /// <summary>Starts the response head (status line, Date, Server); add fields, then <see cref="SendHeadAsync"/>.</summary>
    public ResponseHead StartResponse(int status) => _connection.Head.Start(status);

    /// <summary>Ends the head started with <see cref="StartResponse"/> (adding <c>Connection: close</c> when closing) and sends it.</summary>
    public async ValueTask SendHeadAsync()
    {
        ResponseHead head = _connection.Head;
        if (!KeepAlive)
        {
            head.Add("Connection", "close");
        }

        Status = head.Status;
        await SendAsync(head.Finish()).ConfigureAwait(false);
    }

    /// <summary>Sends a complete response with a small body the server produced (a page, JSON, an error text).</summary>
    public async ValueTask SendContentAsync(int status, string contentType, ReadOnlyMemory<byte> body, Action<ResponseHead>? addFields = null)
    {
        ResponseHead head = StartResponse(status).Add("Content-Type", contentType).Add("Content-Length", body.Length);
        addFields?.Invoke(head);
        await SendHeadAsync().ConfigureAwait(false);
        if (!Request.IsHead && !body.IsEmpty)
        {
            await SendAsync(body).ConfigureAwait(false);
            BodyBytesSent += body.Length;
        }
    }

    /// <summary>Sends an error response with a one-line text body; <paramref name="close"/> also ends the connection.</summary>
    public ValueTask SendErrorAsync(int status, string message, bool close = false, Action<ResponseHead>? addFields = null)
    {
        if (close)
        {
            KeepAlive = false;
        }

        return SendContentAsync(status, "text/plain; charset=utf-8", Encoding.UTF8.GetBytes($"{status} {HttpStatus.ReasonPhrase(status)}: {message}\n"), addFields);
    }

    /// <summary>Arms the stall timer for one body operation; the token fires if it makes no progress in time.</summary>
    public CancellationToken BeginIo() => _connection.Timer.Start(Limits.StallTimeout);

    /// <summary>Disarms the stall timer after the operation armed by <see cref="BeginIo"/> completed.</summary>
    public void EndIo() => _connection.Timer.Stop();

    private async ValueTask SendAsync(ReadOnlyMemory<byte> bytes)
    {
        CancellationToken token = BeginIo();
        while (!bytes.IsEmpty)
        {
            int sent = await Socket.SendAsync(bytes, SocketFlags.None, token).ConfigureAwait(false);
            bytes = bytes[sent..];
        }

        EndIo();
    }
}
