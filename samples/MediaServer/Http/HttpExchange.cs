using System.Diagnostics;
using System.Net.Sockets;
using MediaServer.Hosting;

namespace MediaServer.Http;

/// <summary>
/// One connection's state and I/O, and the request it is serving: the socket, the head buffer (rented only while a head
/// is read, or while a request with bytes after its head is handled), the one I/O timer, the response-head writer, and
/// the current request with what its response has sent. <see cref="HttpConnection"/> runs the loop (wait, read a head,
/// hand it to the handler, log, keep alive or close); handlers see the exchange. Partials by concern:
/// <c>HttpExchange.Receive.cs</c> (request heads and the bytes after them), <c>HttpExchange.Send.cs</c> (responses).
/// </summary>
/// <remarks>
/// One object for the connection's life, reused request after request (<see cref="Begin"/> resets the request's part),
/// so nothing about the connection is split between two owners and nothing is allocated per request for it. A handler
/// must not keep the exchange past its <see cref="IHttpHandler.HandleAsync"/>: the next request reuses it.
/// </remarks>
[DebuggerDisplay("{Request} -> {Status}")]
internal sealed partial class HttpExchange : IDisposable
{
    private static readonly HttpRequest s_noRequest = new(); // GET / HTTP/1.1, no fields: never refilled

    private readonly IoTimer _timer;                  // the connection's one timeout: heads, idle waits, bodies, held requests
    private readonly ResponseHead _head = new();      // the response-head writer, reused by every response
    private readonly HttpRequest _request = new();    // refilled by each head the connection parses
    private readonly Dictionary<string, string> _query = new(StringComparer.Ordinal); // refilled by TryParseQuery
    private byte[]? _buffer;                          // the head buffer: rented while a head is read or bytes follow it
    private int _start;                               // the first unconsumed byte of _buffer
    private int _end;                                 // the end of the bytes received into _buffer

    internal HttpExchange(Socket socket, HttpLimits limits, CancellationToken stopping)
    {
        Socket = socket;
        Limits = limits;
        Stopping = stopping;
        _timer = new IoTimer(stopping);
        Request = s_noRequest;
    }

    /// <summary>The current request (a placeholder before the first, and for a head that did not parse).</summary>
    public HttpRequest Request { get; private set; }

    /// <summary>The strings of this connection's recent heads and paths, made once for a target or field sent again.</summary>
    internal RecentStrings Strings { get; } = new();

    /// <summary>
    /// Parses the request's query by <see cref="RequestTarget.TryParseQuery"/>'s rules into the connection's one
    /// dictionary, its names and values from <see cref="Strings"/>: a blocking playlist reload allocates nothing for its
    /// <c>_HLS_msn</c> and <c>_HLS_part</c>. The pairs are valid until the next parse on this connection.
    /// </summary>
    /// <returns><see langword="false"/> when the query is malformed.</returns>
    public bool TryParseQuery(out IReadOnlyDictionary<string, string> query) => RequestTarget.TryParseQuery(Request.Query, out query, _query, Strings);

    /// <summary>What the handler keeps on this connection from one request to the next (the router: the last path it matched).</summary>
    public object? HandlerState { get; set; }

    /// <summary>The connection's socket: bodies go straight between it and the caches.</summary>
    public Socket Socket { get; }

    /// <summary>The limits, for handlers that receive a body or stream for long.</summary>
    public HttpLimits Limits { get; }

    /// <summary>Canceled when the server stops.</summary>
    public CancellationToken Stopping { get; }

    /// <summary>Whether the connection stays open for another request after this one. Handlers clear it to close.</summary>
    public bool KeepAlive { get; set; }

    /// <summary>The route template that matched (<c>/videos/{name}</c>), for the metrics; <see langword="null"/> when none did.</summary>
    public string? Route { get; set; }

    /// <summary>The status sent (0 until a head is sent), for the request log.</summary>
    public int Status { get; private set; }

    /// <summary>Body bytes sent so far, for the request log.</summary>
    public long BodyBytesSent { get; set; }

    /// <summary>Whether the last timed operation was canceled by its timeout (not by the server stopping).</summary>
    internal bool TimedOut => _timer.TimedOut;

    /// <summary>Starts serving <paramref name="request"/>: the request's part of the state starts over. Synchronous, no allocation.</summary>
    internal void Begin(HttpRequest request, bool keepAlive)
    {
        Request = request;
        KeepAlive = keepAlive;
        Route = null;
        Status = 0;
        BodyBytesSent = 0;
    }

    /// <summary>Starts answering a head that did not parse: no request, and the connection closes after.</summary>
    internal void BeginRejection() => Begin(s_noRequest, keepAlive: false);

    /// <summary>Arms the stall timer for one body operation; the token fires if it makes no progress in time.</summary>
    public CancellationToken BeginIo() => _timer.Start(Limits.StallTimeout);

    /// <summary>
    /// Arms the stall timer for a wait of at most <paramref name="timeout"/> (a request held until what it asks for
    /// exists): the token fires then, or when the server stops. The connection's one timer, so nothing is allocated.
    /// </summary>
    public CancellationToken BeginWait(TimeSpan timeout) => _timer.Start(timeout);

    /// <summary>Disarms the stall timer after the operation armed by <see cref="BeginIo"/> or <see cref="BeginWait"/> completed.</summary>
    public void EndIo() => _timer.Stop();

    /// <summary>Closes the socket and gives the timer and the head buffer back. Once, when the connection ends.</summary>
    public void Dispose()
    {
        Socket.Dispose();
        _timer.Dispose();
        ReturnBuffer();
    }
}
