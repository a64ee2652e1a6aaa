using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MediaServer.Diagnostics;
using Microsoft.Extensions.Logging;

namespace MediaServer.Hosting;

/// <summary>
/// One TCP accept loop, shared by the HTTP front and the raw ingest: listens on one endpoint, runs a handler per client
/// (at most <c>maxConnections</c> at once, and at most <see cref="ClientBudget.PerAddress"/> from one client address;
/// further clients are closed at accept), and on disposal stops accepting, cancels every handler's token and waits for
/// them (at most 5 s).
/// </summary>
/// <remarks>
/// Running out of file descriptors (<c>EMFILE</c>, <c>ENFILE</c>) does not end the loop: it backs off (10 ms doubling to
/// 1 s, during which pending clients wait in the kernel's backlog), logs once per episode, and resumes by itself when
/// descriptors free up. Any other accept error is logged and retried after a pause, never ending the loop silently.
/// </remarks>
internal sealed class TcpAcceptor : IAsyncDisposable
{
    private static readonly TimeSpan s_shutdownTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan s_firstBackoff = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan s_maxBackoff = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan s_refusalLogInterval = TimeSpan.FromSeconds(10);

    private readonly Socket _listener;
    private readonly Func<Socket, CancellationToken, Task> _handle;
    private readonly Func<Socket, CancellationToken, ValueTask<Socket>> _accept; // The listener's AcceptAsync; tests may fail it.
    private readonly int _maxConnections;
    private readonly ClientBudget _perAddress;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<Socket, Task> _clients = new();
    private readonly RefusalLog _connectionRefusals = new(s_refusalLogInterval);
    private readonly RefusalLog _perAddressRefusals = new(s_refusalLogInterval);
    private Task _acceptLoop = Task.CompletedTask;

    /// <summary>Binds and listens on <paramref name="endPoint"/> (port 0 picks a free port); call <see cref="Start"/> to accept.</summary>
    /// <exception cref="IOException">The endpoint cannot be bound (for example, the port is in use); the message names it.</exception>
    public TcpAcceptor(IPEndPoint endPoint, Func<Socket, CancellationToken, Task> handle, int maxConnections, int maxPerAddress, ILogger logger, Func<Socket, CancellationToken, ValueTask<Socket>>? accept = null)
        : this(Listen(endPoint), handle, maxConnections, maxPerAddress, logger, accept)
    {
    }

    /// <summary>Accepts on <paramref name="listener"/>, a socket from <see cref="Listen"/>, which it now owns; call <see cref="Start"/> to accept.</summary>
    /// <param name="handle">Serves one client; it owns nothing: the acceptor disposes the socket when it returns.</param>
    /// <param name="maxConnections">The most clients served at once.</param>
    /// <param name="maxPerAddress">The most clients served at once from one address (an IPv6 /64 counts as one).</param>
    /// <param name="accept">Accepts one client from the listener; <see langword="null"/>: <see cref="Socket.AcceptAsync(CancellationToken)"/>.
    /// Tests pass one that fails as the kernel does when descriptors run out.</param>
    public TcpAcceptor(Socket listener, Func<Socket, CancellationToken, Task> handle, int maxConnections, int maxPerAddress, ILogger logger, Func<Socket, CancellationToken, ValueTask<Socket>>? accept = null)
    {
        _handle = handle;
        _accept = accept ?? (static (listener, token) => listener.AcceptAsync(token));
        _maxConnections = maxConnections;
        _perAddress = new ClientBudget(maxPerAddress);
        _logger = logger;
        _listener = listener;
        LocalEndPoint = (IPEndPoint)_listener.LocalEndPoint!;
    }

    /// <summary>The endpoint actually bound (with the real port when 0 was asked for).</summary>
    public IPEndPoint LocalEndPoint { get; }

    /// <summary>What the listener serves (<c>http</c>, <c>ingest</c>): the metrics' listener tag and the refusal log's prefix.</summary>
    public string Name { get; init; } = "tcp";

    /// <summary>The number of clients being served.</summary>
    public int ClientCount => _clients.Count;

    /// <summary>Starts accepting clients.</summary>
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
            await Task.WhenAll(_clients.Values).WaitAsync(s_shutdownTimeout).ConfigureAwait(false);
            _stopping.Dispose(); // Only once no client can still use its token.
        }
        catch (TimeoutException)
        {
            ServerLog.ShutdownTimedOut(_logger, _clients.Count);
        }
    }

    /// <summary>A TCP socket bound and listening on <paramref name="endPoint"/> (dual-stack for <c>::</c>).</summary>
    /// <exception cref="IOException">The endpoint cannot be bound (for example, the port is in use); the message names it.</exception>
    public static Socket Listen(IPEndPoint endPoint)
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
        catch (SocketException e)
        {
            socket.Dispose();
            throw new IOException($"cannot listen on {endPoint}: {e.Message}", e);
        }
    }

    private async Task AcceptLoopAsync()
    {
        TimeSpan backoff = TimeSpan.Zero;
        long exhaustedSince = 0;
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _accept(_listener, _stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (SocketErrors.IsDisconnect(e))
            {
                continue; // Stopping (the loop ends), or a client that reset before we accepted it.
            }
            catch (SocketException e) when (SocketErrors.IsDescriptorExhaustion(e))
            {
                if (exhaustedSince == 0)
                {
                    exhaustedSince = Stopwatch.GetTimestamp();
                    ServerLog.DescriptorsExhausted(_logger, LocalEndPoint.ToString(), _clients.Count, e.Message);
                }

                backoff = backoff == TimeSpan.Zero ? s_firstBackoff : TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, s_maxBackoff.Ticks));
                await PauseAsync(backoff).ConfigureAwait(false);
                continue;
            }
            catch (Exception e) when (!_stopping.IsCancellationRequested)
            {
                ServerLog.AcceptFailed(_logger, LocalEndPoint.ToString(), e);
                await PauseAsync(s_maxBackoff).ConfigureAwait(false);
                continue;
            }

            if (exhaustedSince != 0)
            {
                ServerLog.DescriptorsRecovered(_logger, LocalEndPoint.ToString(), Stopwatch.GetElapsedTime(exhaustedSince).TotalSeconds);
                exhaustedSince = 0;
                backoff = TimeSpan.Zero;
            }

            ClientAddress address = ClientAddress.Of(client.RemoteEndPoint);
            if (_clients.Count >= _maxConnections)
            {
                Refuse(client, address, _connectionRefusals, "max-connections", _maxConnections);
                continue;
            }

            if (!_perAddress.TryAcquire(address))
            {
                Refuse(client, address, _perAddressRefusals, "max-connections-per-address", _perAddress.PerAddress);
                continue;
            }

            client.NoDelay = true;

            // Every protocol here uses asynchronous calls only: a non-blocking socket from the start lets the library's
            // socket loop sendfile(2) on it without first making it non-blocking through the framework, which would also
            // register it with the framework's own epoll engine (a wake-up and a thread-pool item per readiness change).
            client.Blocking = false;
            Task task = RunAsync(client, address);
            _clients[client] = task;
            if (task.IsCompleted)
            {
                _clients.TryRemove(client, out _); // It ended before it was tracked.
            }
        }
    }

    /// <summary>Closes a client over a budget, counts it, and logs it unless its address was logged this interval.</summary>
    private void Refuse(Socket client, ClientAddress address, RefusalLog log, string budget, int limit)
    {
        client.Dispose();
        ServerMetrics.RejectedConnections.Add(1, new(ServerMetrics.ListenerTag, Name), new(ServerMetrics.BudgetTag, budget));
        if (log.ShouldLog(address, out int unlogged))
        {
            ServerLog.ConnectionRejected(_logger, Name, address.ToString(), budget, limit, unlogged);
        }
    }

    /// <summary>Waits before the next accept; returns early (without throwing) when the acceptor stops.</summary>
    private async Task PauseAsync(TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, _stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping: the loop condition ends it.
        }
        catch (SystemException)
        {
            // Out of descriptors, the runtime may fail to start the thread a timer needs: wait on this one instead.
            Thread.Sleep(delay);
        }
    }

    private async Task RunAsync(Socket client, ClientAddress address)
    {
        await Task.Yield(); // Leave the accept loop before the client's first receive.
        var listener = new KeyValuePair<string, object?>(ServerMetrics.ListenerTag, Name);
        ServerMetrics.ActiveConnections.Add(1, listener);
        try
        {
            await _handle(client, _stopping.Token).ConfigureAwait(false);
        }
        finally
        {
            ServerMetrics.ActiveConnections.Add(-1, listener);
            client.Dispose();
            _clients.TryRemove(client, out _);
            _perAddress.Release(address);
        }
    }
}
