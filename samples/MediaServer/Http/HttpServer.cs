using System.Net;
using System.Net.Sockets;
using MediaServer.Hosting;
using Microsoft.Extensions.Logging;

namespace MediaServer.Http;

/// <summary>
/// The HTTP front: accepts clients on one endpoint and runs an <see cref="HttpConnection"/> per client (bounded by
/// <see cref="HttpLimits.MaxConnections"/>); on disposal it stops accepting, cancels every connection and waits for them.
/// </summary>
internal sealed class HttpServer : IAsyncDisposable
{
    private readonly TcpAcceptor _acceptor;

    /// <summary>Serves HTTP on <paramref name="listener"/> (from <see cref="TcpAcceptor.Listen"/>; owned from now on); call <see cref="Start"/> to accept.</summary>
    public HttpServer(Socket listener, IHttpHandler handler, HttpLimits limits, ILogger logger) =>
        _acceptor = new TcpAcceptor(
            listener,
            (client, stopping) => new HttpConnection(client, handler, limits, logger, stopping).RunAsync(),
            limits.MaxConnections,
            limits.MaxConnectionsPerAddress,
            logger)
        {
            Name = "http",
        };

    /// <summary>The endpoint actually bound (with the real port when 0 was asked for).</summary>
    public IPEndPoint LocalEndPoint => _acceptor.LocalEndPoint;

    /// <summary>The number of connections being served.</summary>
    public int ConnectionCount => _acceptor.ClientCount;

    /// <summary>Starts accepting connections.</summary>
    public void Start() => _acceptor.Start();

    public ValueTask DisposeAsync() => _acceptor.DisposeAsync();
}
