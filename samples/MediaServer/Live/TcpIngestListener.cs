using System.Net;
using System.Net.Sockets;
using MediaServer.AccessControl;
using MediaServer.Diagnostics;
using MediaServer.Hosting;
using Microsoft.Extensions.Logging;
using ZeroCopy;

namespace MediaServer.Live;

/// <summary>
/// The raw ingest: a TCP port that takes one MPEG-TS push at a time for channel <c>live</c>
/// (<c>ffmpeg … -f mpegts tcp://127.0.0.1:9000</c>) and receives it straight into the channel's ring with
/// <see cref="LiveCache.ReceiveIntoAsync"/>: no buffer of its own, no copy. A second push while one is live is refused.
/// When publishing needs a credential, the push starts with one line, <c>key=K</c> or <c>expires=E&amp;token=T</c> and a
/// newline, then the stream: <c>{ printf 'key=K\n'; ffmpeg -re -i in.mp4 -c copy -f mpegts -; } | nc HOST 9000</c>.
/// </summary>
internal sealed class TcpIngestListener : IAsyncDisposable
{
    /// <summary>The most connections the ingest port holds at once (publishers, and pushes waiting for their credential line
    /// or being refused), unless the descriptor limit leaves room for fewer.</summary>
    public const int DefaultMaxConnections = 64;

    /// <summary>The most connections one client address holds on the ingest port at once.</summary>
    public const int MaxConnectionsPerAddress = 4;

    private const byte MpegTsSyncByte = 0x47;
    private static readonly TimeSpan s_credentialTimeout = TimeSpan.FromSeconds(5);

    private readonly TcpAcceptor _acceptor;
    private readonly LiveChannelRegistry _channels;
    private readonly TimeSpan _idleTimeout;
    private readonly ILogger _logger;

    /// <summary>Takes publishers on <paramref name="listener"/> (from <see cref="TcpAcceptor.Listen"/>; owned from now on); call <see cref="Start"/> to accept.</summary>
    /// <param name="idleTimeout">How long a publisher may send nothing before it is dropped.</param>
    /// <param name="maxConnections">The most connections held at once (<see cref="DefaultMaxConnections"/> unless descriptors are scarce).</param>
    public TcpIngestListener(Socket listener, LiveChannelRegistry channels, TimeSpan idleTimeout, int maxConnections, ILogger logger)
    {
        _channels = channels;
        _idleTimeout = idleTimeout;
        _logger = logger;

        // A second push while one is live is accepted, refused by the channel registry, and closed. The port carries one
        // channel, so a few connections at once are plenty; the bounds keep a flood from taking descriptors.
        _acceptor = new TcpAcceptor(listener, PublishAsync, maxConnections, MaxConnectionsPerAddress, logger) { Name = "ingest" };
        MaxConnections = maxConnections;
    }

    public IPEndPoint LocalEndPoint => _acceptor.LocalEndPoint;

    /// <summary>The most connections held at once.</summary>
    public int MaxConnections { get; }

    public void Start() => _acceptor.Start();

    /// <summary>Stops accepting, ends the publisher (which completes its channel) and waits for it.</summary>
    public ValueTask DisposeAsync() => _acceptor.DisposeAsync();

    private async Task PublishAsync(Socket socket, CancellationToken stopping)
    {
        string remote = socket.RemoteEndPoint?.ToString() ?? "?";

        // Turn away at once a push the channel cannot take, before waiting for anything from it.
        PublishRefusal refusal = _channels.CheckAvailable(ChannelName.TcpIngest);
        LiveChannel? channel = null;
        if (refusal == PublishRefusal.None)
        {
            (string? credential, string? failure) = await ReadCredentialLineAsync(socket, stopping).ConfigureAwait(false);
            if (failure is not null)
            {
                ServerLog.PublishRefused(_logger, ChannelName.TcpIngest, remote, failure);
                return;
            }

            channel = _channels.TryStartPublishing(ChannelName.TcpIngest, socket.RemoteEndPoint, "tcp", credential, out refusal);
        }

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

    /// <summary>
    /// Reads the optional credential line a publisher sends before its stream: a query string (<c>key=K</c>, or
    /// <c>expires=E&amp;token=T</c>) and a newline. A stream starts with the MPEG-TS sync byte 0x47, which no credential
    /// does, so a push without a line is told apart by its first byte and nothing of it is consumed. Each peek shows what
    /// has arrived; bytes before a newline belong to the line and are taken at once, so the next peek waits for more
    /// (no polling), and at the newline exactly the line's last bytes are taken: the stream after it goes straight into
    /// the ring.
    /// </summary>
    /// <returns>The credential (<see langword="null"/> when the push starts with the stream), or why there is none to
    /// go on with: the publisher closed, the line is malformed or too long, or it did not arrive in time.</returns>
    private static async Task<(string? Credential, string? Failure)> ReadCredentialLineAsync(Socket socket, CancellationToken stopping)
    {
        byte[] line = new byte[PublishCredentials.MaxLength + 2];
        int taken = 0; // bytes of the line received so far, none of them a newline
        using var timer = new IoTimer(stopping);
        try
        {
            CancellationToken token = timer.Start(s_credentialTimeout);
            while (true)
            {
                int peeked = await socket.ReceiveAsync(line.AsMemory(taken), SocketFlags.Peek, token).ConfigureAwait(false);
                if (peeked == 0)
                {
                    return (null, "the publisher closed the connection before sending anything");
                }

                if (taken == 0 && line[0] == MpegTsSyncByte)
                {
                    return (null, null);
                }

                int newline = line.AsSpan(taken, peeked).IndexOf((byte)'\n');
                if (newline >= 0)
                {
                    await socket.ReceiveFullyAsync(line.AsMemory(taken, newline + 1), token).ConfigureAwait(false);
                    ReadOnlySpan<byte> credential = line.AsSpan(0, taken + newline).TrimEnd((byte)'\r');
                    return credential.IndexOfAnyExceptInRange((byte)0x21, (byte)0x7E) >= 0
                        ? (null, "the credential line holds a byte that is not visible ASCII")
                        : (System.Text.Encoding.ASCII.GetString(credential), null);
                }

                if (taken + peeked == line.Length)
                {
                    return (null, $"the first line is longer than {PublishCredentials.MaxLength} bytes: not a credential, nor an MPEG-TS stream (sync byte 0x47)");
                }

                await socket.ReceiveFullyAsync(line.AsMemory(taken, peeked), token).ConfigureAwait(false);
                taken += peeked;
            }
        }
        catch (Exception e) when (SocketErrors.IsDisconnect(e))
        {
            return (null, timer.TimedOut ? $"no credential line within {s_credentialTimeout.TotalSeconds:0} s" : "the connection ended before the credential line: " + e.Message);
        }
    }
}
