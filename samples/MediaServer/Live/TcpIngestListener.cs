using System.Net;
using System.Net.Sockets;
using MediaServer.Hosting;
using Microsoft.Extensions.Logging;
using ZeroCopy;

namespace MediaServer.Live;

/// <summary>
/// The raw ingest: a TCP port that takes one MPEG-TS push at a time for channel <c>live</c>
/// (<c>ffmpeg … -f mpegts tcp://127.0.0.1:9000</c>) and receives it straight into the channel's ring with
/// <see cref="LiveCache.ReceiveIntoAsync"/>: no buffer of its own, no copy. A second push while one is live is refused.
/// </summary>
internal sealed class TcpIngestListener : IAsyncDisposable
{
    /// <summary>The most connections the ingest port holds at once (publishers and refused attempts being closed).</summary>
    public const int MaxConnections = 64;

    /// <summary>The most connections one client address holds on the ingest port at once.</summary>
    public const int MaxConnectionsPerAddress = 4;

    private readonly TcpAcceptor _acceptor;
    private readonly LiveChannelRegistry _channels;
    private readonly TimeSpan _idleTimeout;
    private readonly ILogger _logger;

    /// <summary>Binds and listens on <paramref name="endPoint"/> (port 0 picks a free port); call <see cref="Start"/> to accept.</summary>
    /// <param name="idleTimeout">How long a publisher may send nothing before it is dropped.</param>
    public TcpIngestListener(IPEndPoint endPoint, LiveChannelRegistry channels, TimeSpan idleTimeout, ILogger logger)
    {
        _channels = channels;
        _idleTimeout = idleTimeout;
        _logger = logger;

        // A second push while one is live is accepted, refused by the channel registry, and closed. The port carries one
        // channel, so a few connections at once are plenty; the bounds keep a flood from taking descriptors.
        _acceptor = new TcpAcceptor(endPoint, PublishAsync, MaxConnections, MaxConnectionsPerAddress, logger);
    }

    public IPEndPoint LocalEndPoint => _acceptor.LocalEndPoint;

    public void Start() => _acceptor.Start();

    /// <summary>Stops accepting, ends the publisher (which completes its channel) and waits for it.</summary>
    public ValueTask DisposeAsync() => _acceptor.DisposeAsync();

    private async Task PublishAsync(Socket socket, CancellationToken stopping)
    {
        string remote = socket.RemoteEndPoint?.ToString() ?? "?";
        LiveChannel? channel = _channels.TryStartPublishing(ChannelName.TcpIngest, remote, "tcp", out PublishRefusal refusal);
        if (channel is null)
        {
            // Raw TCP has no way to answer: the reason goes to the log, and the publisher sees the connection close.
            ServerLog.PublishRefused(_logger, ChannelName.TcpIngest, remote, _channels.Describe(refusal, ChannelName.TcpIngest));
            return;
        }

        ServerLog.PublishStarted(_logger, channel.Name, remote, "raw MPEG-TS over TCP");
        Exception? error = null;
        string reason = "the publisher closed the connection";
        using var timer = new IoTimer(stopping);
        try
        {
            // Each receive lands in the ring's next free slice and is published to the viewers at once.
            while (await channel.Cache.ReceiveIntoAsync(socket, LiveChannel.MaxReceiveSize, timer.Start(_idleTimeout)).ConfigureAwait(false) > 0)
            {
                timer.Stop();
            }
        }
        catch (Exception e) when (SocketErrors.IsDisconnect(e))
        {
            reason = timer.TimedOut ? $"nothing received for {_idleTimeout.TotalSeconds:0} s" : stopping.IsCancellationRequested ? "the server is stopping" : e.Message;
        }
        catch (Exception e)
        {
            error = e;
            reason = e.Message;
        }
        finally
        {
            _channels.EndPublishing(channel, error);
            ServerLog.PublishEnded(_logger, channel.Name, channel.BytesReceived, reason);
        }
    }
}
