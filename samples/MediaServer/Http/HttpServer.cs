using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace MediaServer.Http;

/// <summary>
/// The HTTP front's accept loop: listens on one endpoint, runs an <see cref="HttpConnection"/> per client (bounded by
/// <see cref="HttpLimits.MaxConnections"/>), and on disposal stops accepting, cancels every connection and waits for them.
/// </summary>
internal sealed class HttpServer : IAsyncDisposable
{
    private static readonly TimeSpan s_shutdownTimeout = TimeSpan.FromSeconds(5);

    private readonly Socket _listener;
    private readonly IHttpHandler _handler;
    private readonly HttpLimits _limits;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<HttpConnection, Task> _connections = new();
    private Task _acceptLoop = Task.CompletedTask;

    /// <summary>Binds and listens on <paramref name="endPoint"/> (port 0 picks a free port); call <see cref="Start"/> to accept.</summary>
    /// <exception cref="SocketException">The endpoint cannot be bound (for example, the port is in use).</exception>
    public HttpServer(IPEndPoint endPoint, IHttpHandler handler, HttpLimits limits, ILogger logger)
    {
        _handler = handler;
        _limits = limits;
        _logger = logger;
        _listener = Listen(endPoint);
        LocalEndPoint = (IPEndPoint)_listener.LocalEndPoint!;
    }

    /// <summary>The endpoint actually bound (with the real port when 0 was asked for).</summary>
    public IPEndPoint LocalEndPoint { get; }

    /// <summary>The number of connections being served.</summary>
    public int ConnectionCount => _connections.Count;

    /// <summary>Creates a listening TCP socket (dual-stack for <c>::</c>).</summary>
    internal static Socket Listen(IPEndPoint endPoint)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (endPoint.AddressFamily == AddressFamily.InterNetworkV6 && endPoint.Address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }

            socket.Bind(endPoint);
            socket.Listen(4096); // The kernel caps it at net.core.somaxconn.
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Starts accepting connections.</summary>
    public void Start() => _acceptLoop = AcceptLoopAsync();

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        await _acceptLoop.ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_connections.Values).WaitAsync(s_shutdownTimeout).ConfigureAwait(false);
            _stopping.Dispose(); // Only once no connection can still use its token.
        }
        catch (TimeoutException)
        {
            ServerLog.ShutdownTimedOut(_logger, _connections.Count);
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (HttpConnection.IsDisconnect(e))
            {
                if (_stopping.IsCancellationRequested)
                {
                    return;
                }

                continue; // A client that reset before we accepted it.
            }

            if (_connections.Count >= _limits.MaxConnections)
            {
                ServerLog.ConnectionRejected(_logger, _limits.MaxConnections);
                client.Dispose();
                continue;
            }

            client.NoDelay = true;
            var connection = new HttpConnection(client, _handler, _limits, _logger, _stopping.Token);
            Task task = RunAsync(connection);
            _connections[connection] = task;
            if (task.IsCompleted)
            {
                _connections.TryRemove(connection, out _); // It ended before it was tracked.
            }
        }
    }

    private async Task RunAsync(HttpConnection connection)
    {
        await Task.Yield(); // Leave the accept loop before the first receive.
        try
        {
            await connection.RunAsync().ConfigureAwait(false);
        }
        finally
        {
            _connections.TryRemove(connection, out _);
        }
    }
}
