using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using MediaServer.Http;
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
    /// <summary>The most bytes taken by one receive.</summary>
    public const int MaxReceiveSize = 256 * 1024;

    private readonly Socket _listener;
    private readonly LiveChannelRegistry _channels;
    private readonly TimeSpan _idleTimeout;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<Socket, Task> _publishers = new();
    private Task _acceptLoop = Task.CompletedTask;

    /// <summary>Binds and listens on <paramref name="endPoint"/> (port 0 picks a free port); call <see cref="Start"/> to accept.</summary>
    /// <param name="idleTimeout">How long a publisher may send nothing before it is dropped.</param>
    public TcpIngestListener(IPEndPoint endPoint, LiveChannelRegistry channels, TimeSpan idleTimeout, ILogger logger)
    {
        _channels = channels;
        _idleTimeout = idleTimeout;
        _logger = logger;
        _listener = HttpServer.Listen(endPoint);
        LocalEndPoint = (IPEndPoint)_listener.LocalEndPoint!;
    }

    public IPEndPoint LocalEndPoint { get; }

    public void Start() => _acceptLoop = AcceptLoopAsync();

    /// <summary>Stops accepting, ends the publisher (which completes its channel) and waits for it.</summary>
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
            await Task.WhenAll(_publishers.Values).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            _stopping.Dispose(); // Only once no publisher can still use its token.
        }
        catch (TimeoutException)
        {
            ServerLog.ShutdownTimedOut(_logger, _publishers.Count);
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket publisher;
            try
            {
                publisher = await _listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (HttpConnection.IsDisconnect(e))
            {
                continue;
            }

            Task task = PublishAsync(publisher);
            _publishers[publisher] = task;
            if (task.IsCompleted)
            {
                _publishers.TryRemove(publisher, out _);
            }
        }
    }

    private async Task PublishAsync(Socket socket)
    {
        await Task.Yield(); // Leave the accept loop before the first receive.
        string remote = socket.RemoteEndPoint?.ToString() ?? "?";
        try
        {
            LiveChannel? channel = _channels.TryStartPublishing(ChannelName.TcpIngest, remote, "tcp", out _, out string refusal);
            if (channel is null)
            {
                ServerLog.PublishRefused(_logger, ChannelName.TcpIngest, remote, refusal);
                return;
            }

            ServerLog.PublishStarted(_logger, channel.Name, remote, "raw MPEG-TS over TCP");
            Exception? error = null;
            string reason = "the publisher closed the connection";
            using var timer = new IoTimer(_stopping.Token);
            try
            {
                // Each receive lands in the ring's next free slice and is published to the viewers at once.
                while (await channel.Cache.ReceiveIntoAsync(socket, MaxReceiveSize, timer.Start(_idleTimeout)).ConfigureAwait(false) > 0)
                {
                    timer.Stop();
                }
            }
            catch (Exception e) when (HttpConnection.IsDisconnect(e))
            {
                reason = timer.TimedOut ? $"nothing received for {_idleTimeout.TotalSeconds:0} s" : _stopping.IsCancellationRequested ? "the server is stopping" : e.Message;
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
        finally
        {
            socket.Dispose();
            _publishers.TryRemove(socket, out _);
        }
    }
}
