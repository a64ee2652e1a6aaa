using System.Net;
using System.Runtime.InteropServices;
using MediaServer.Diagnostics;
using MediaServer.Srt;
using Microsoft.Extensions.Logging;
using ZeroCopy;

namespace MediaServer.Live;

/// <summary>
/// The SRT ingest: a UDP port where encoders (OBS, vMix, hardware encoders, <c>ffmpeg … -f mpegts srt://HOST:PORT?streamid=NAME</c>)
/// publish MPEG-TS over SRT in caller mode. The stream id names the channel and carries its key
/// (<see cref="SrtStreamId"/>); a publisher the channel registry would refuse is rejected during SRT's handshake with a
/// reject reason (1401 unauthorized, 1409 the channel is taken, 1402 over a budget, 1400 a bad stream id), so nothing
/// of it enters a ring. Each SRT message is received by <c>srt_recvmsg</c> straight into the channel's ring through
/// <see cref="LiveCache.ReceiveMessageInto{TState}"/>: no buffer of the server's own.
/// </summary>
/// <remarks>
/// One thread runs every SRT publisher: it waits on libsrt's epoll for the listener and the publishers' sockets (level
/// triggered), accepts, receives what each socket holds, and ends a publisher whose link breaks (libsrt notices a silent
/// peer after its idle timeout) or that sends nothing for the ingest's idle timeout. libsrt's own threads do the UDP
/// work and the retransmissions; the listen callback runs on one of them.
/// </remarks>
internal sealed class SrtIngestListener : IAsyncDisposable
{
    /// <summary>The SRT receive latency unless <c>--srt-latency</c> says otherwise: SRT's own default.</summary>
    public static readonly TimeSpan DefaultLatency = TimeSpan.FromMilliseconds(120);

    /// <summary>The most messages taken from one publisher per turn of the loop, so one fast publisher cannot starve the rest.</summary>
    private const int MessagesPerTurn = 256;
    private const int WaitMilliseconds = 100;

    // Application reject reasons (SRT access control, srt/access_control.h).
    private const int RejectBadRequest = 1400;
    private const int RejectUnauthorized = 1401;
    private const int RejectOverload = 1402;
    private const int RejectConflict = 1409;

    private static readonly MessageReceiver<Publisher> s_receive = Receive;

    private readonly SrtSocket _listener;
    private readonly int _epoll;
    private readonly LiveChannelRegistry _channels;
    private readonly TimeSpan _idleTimeout;
    private readonly ILogger _logger;
    private readonly LibSrt.ListenCallback _checkCaller; // kept alive: libsrt holds a pointer to it
    private readonly Dictionary<int, Publisher> _publishers = [];
    private readonly Thread _loop;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _stopping;
    private int _publisherCount; // _publishers.Count, for other threads

    private SrtIngestListener(SrtSocket listener, int epoll, LiveChannelRegistry channels, TimeSpan idleTimeout, ILogger logger)
    {
        _listener = listener;
        _epoll = epoll;
        _channels = channels;
        _idleTimeout = idleTimeout;
        _logger = logger;
        _checkCaller = CheckCaller;
        LocalEndPoint = listener.LocalEndPoint;
        _loop = new Thread(Run) { IsBackground = true, Name = "srt-ingest" };
    }

    /// <summary>The UDP endpoint the listener is bound to.</summary>
    public IPEndPoint LocalEndPoint { get; }

    /// <summary>The SRT publishers connected now (each holds a libsrt socket and a channel).</summary>
    public int PublisherCount => Volatile.Read(ref _publisherCount);

    /// <summary>
    /// Binds and listens on <paramref name="endPoint"/>; call <see cref="Start"/> to take publishers. <see langword="null"/>
    /// when libsrt is not installed (then <paramref name="unavailable"/> is the line to print, and the rest of the server runs).
    /// </summary>
    /// <param name="latency">The receiver's latency (SRT's buffer for retransmissions): the larger of this and the encoder's wins.</param>
    /// <param name="passphrase">Encrypts every link (AES; encoders must give the same passphrase); <see langword="null"/> for none.</param>
    /// <param name="idleTimeout">How long a publisher may send nothing before it is dropped (also libsrt's peer idle timeout).</param>
    /// <exception cref="IOException">The port cannot be bound (the message names it), or the passphrase is not 10 to 79 characters.</exception>
    public static SrtIngestListener? TryListen(IPEndPoint endPoint, TimeSpan latency, string? passphrase, TimeSpan idleTimeout, LiveChannelRegistry channels, ILogger logger, out string? unavailable)
    {
        if (!LibSrt.TryLoad(out unavailable))
        {
            return null;
        }

        if (LibSrt.srt_startup() < 0)
        {
            throw LibSrt.LastError("srt_startup");
        }

        SrtSocket? listener = null;
        int epoll = -1;
        try
        {
            listener = SrtSocket.Create();
            listener.Set(LibSrt.OptionReceiveSynchronous, 0, "SRTO_RCVSYN");
            listener.Set(LibSrt.OptionLatency, (int)latency.TotalMilliseconds, "SRTO_LATENCY");
            listener.Set(LibSrt.OptionPeerIdleTimeout, (int)Math.Min(idleTimeout.TotalMilliseconds, int.MaxValue), "SRTO_PEERIDLETIMEO");
            if (passphrase is not null)
            {
                listener.Set(LibSrt.OptionPassphrase, passphrase, "the passphrase (SRT needs 10 to 79 characters)");
            }

            listener.Listen(endPoint, backlog: 16);
            epoll = LibSrt.srt_epoll_create();
            if (epoll < 0)
            {
                throw LibSrt.LastError("srt_epoll_create");
            }

            var ingest = new SrtIngestListener(listener, epoll, channels, idleTimeout, logger);
            if (LibSrt.srt_listen_callback(listener.Id, ingest._checkCaller, IntPtr.Zero) < 0)
            {
                throw LibSrt.LastError("srt_listen_callback");
            }

            ingest.Watch(listener.Id);
            return ingest;
        }
        catch
        {
            listener?.Dispose();
            if (epoll >= 0)
            {
                _ = LibSrt.srt_epoll_release(epoll);
            }

            _ = LibSrt.srt_cleanup();
            throw;
        }
    }

    /// <summary>Starts the loop.</summary>
    public void Start() => _loop.Start();

    /// <summary>Stops taking publishers, ends every publisher (its channel completes; viewers get what is buffered), and frees libsrt's resources.</summary>
    public async ValueTask DisposeAsync()
    {
        _stopping = true;
        if (_loop.IsAlive)
        {
            await _stopped.Task.ConfigureAwait(false);
        }
        else
        {
            Shutdown();
        }
    }

    /// <summary>libsrt's handshake hook: refuses a caller the registry would refuse, with the reason, before any data.</summary>
    private int CheckCaller(IntPtr opaque, int socket, int handshakeVersion, IntPtr peerAddress, IntPtr streamIdPointer)
    {
        try
        {
            string streamId = Marshal.PtrToStringUTF8(streamIdPointer) ?? "";
            EndPoint? peer = PeerEndPoint(peerAddress);
            string remote = peer?.ToString() ?? "?";
            if (_stopping)
            {
                return Reject(socket, RejectOverload);
            }

            if (!SrtStreamId.TryParse(streamId, out SrtStreamId id, out string? failure))
            {
                ServerLog.PublishRefused(_logger, "?", remote, $"SRT stream id '{streamId}': {failure}");
                return Reject(socket, RejectBadRequest);
            }

            PublishRefusal refusal = _channels.CheckPublisher(id.Channel, peer, id.Credential);
            if (refusal == PublishRefusal.None)
            {
                return 0;
            }

            ServerLog.PublishRefused(_logger, id.Channel, remote, _channels.Describe(refusal, id.Channel));
            return Reject(socket, refusal switch
            {
                PublishRefusal.CredentialMissing or PublishRefusal.CredentialInvalid or PublishRefusal.CredentialExpired => RejectUnauthorized,
                PublishRefusal.ChannelBusy => RejectConflict,
                _ => RejectOverload,
            });
        }
        catch (Exception e)
        {
            // Never let an exception cross into libsrt's thread: refuse instead.
            ServerLog.SrtFailed(_logger, "checking a caller", e);
            return Reject(socket, RejectBadRequest);
        }

        static int Reject(int socket, int reason)
        {
            _ = LibSrt.srt_setrejectreason(socket, reason); // fails only for a socket already gone: nothing to tell then
            return -1;
        }
    }

    private static IPEndPoint? PeerEndPoint(IntPtr sockaddr)
    {
        if (sockaddr == IntPtr.Zero)
        {
            return null;
        }

        byte[] bytes = new byte[28];
        Marshal.Copy(sockaddr, bytes, 0, Marshal.ReadInt16(sockaddr) == 10 ? 28 : 16);
        return SrtSocket.ToEndPoint(bytes, bytes.Length);
    }

    private void Run()
    {
        var events = new LibSrt.EpollEvent[64];
        long lastIdleCheck = Environment.TickCount64;
        try
        {
            while (!_stopping)
            {
                int ready = LibSrt.srt_epoll_uwait(_epoll, events, events.Length, WaitMilliseconds);
                for (int i = 0; i < ready; i++)
                {
                    if (events[i].Socket == _listener.Id)
                    {
                        AcceptAll();
                    }
                    else if (_publishers.TryGetValue(events[i].Socket, out Publisher? publisher))
                    {
                        ReceiveAvailable(publisher, events[i].Events);
                    }
                }

                if (Environment.TickCount64 - lastIdleCheck >= 1000)
                {
                    lastIdleCheck = Environment.TickCount64;
                    EndIdlePublishers();
                }
            }
        }
        catch (Exception e)
        {
            ServerLog.SrtFailed(_logger, "the ingest loop", e);
        }
        finally
        {
            Shutdown();
            _stopped.TrySetResult();
        }
    }

    private void AcceptAll()
    {
        while (true)
        {
            SrtSocket? socket;
            IPEndPoint? peer;
            try
            {
                socket = _listener.TryAccept(out peer);
            }
            catch (SrtException e)
            {
                ServerLog.SrtFailed(_logger, "accepting", e);
                return;
            }

            if (socket is null)
            {
                return;
            }

            Start(socket, peer);
        }
    }

    private void Start(SrtSocket socket, IPEndPoint? peer)
    {
        string remote = peer?.ToString() ?? "?";
        string streamId = socket.StreamId;
        if (!SrtStreamId.TryParse(streamId, out SrtStreamId id, out string? failure))
        {
            ServerLog.PublishRefused(_logger, "?", remote, $"SRT stream id '{streamId}': {failure}");
            socket.Dispose();
            return;
        }

        // The handshake check passed, but another publisher may have taken the name or the memory since: this call decides,
        // and a refusal now can only close the link.
        LiveChannel? channel = _channels.TryStartPublishing(id.Channel, peer, "srt", id.Credential, out PublishRefusal refusal);
        if (channel is null)
        {
            ServerLog.PublishRefused(_logger, id.Channel, remote, _channels.Describe(refusal, id.Channel));
            socket.Dispose();
            return;
        }

        channel.LinkStatistics = socket.GetStatistics;
        var publisher = new Publisher(socket, channel);
        try
        {
            socket.Set(LibSrt.OptionReceiveSynchronous, 0, "SRTO_RCVSYN");
            Watch(socket.Id);
        }
        catch (SrtException e)
        {
            End(publisher, e.Message, e);
            return;
        }

        _publishers.Add(socket.Id, publisher);
        Volatile.Write(ref _publisherCount, _publishers.Count);
        ServerLog.PublishStarted(_logger, channel.Name, remote, "MPEG-TS over SRT");
    }

    private void Watch(int socket)
    {
        int events = LibSrt.EpollIn | LibSrt.EpollErr;
        if (LibSrt.srt_epoll_add_usock(_epoll, socket, ref events) < 0)
        {
            throw LibSrt.LastError("srt_epoll_add_usock");
        }
    }

    /// <summary>Takes what the publisher's socket holds, message by message, into its ring; ends it when the link is gone.</summary>
    private void ReceiveAvailable(Publisher publisher, int events)
    {
        try
        {
            for (int i = 0; i < MessagesPerTurn; i++)
            {
                publisher.WouldBlock = false;
                if (publisher.Channel.Cache.ReceiveMessageInto(LibSrt.MaxPayloadSize, s_receive, publisher) == 0)
                {
                    break;
                }

                publisher.LastReceived = Environment.TickCount64;
            }

            if (!publisher.WouldBlock && ((events & LibSrt.EpollErr) != 0 || !publisher.Socket.IsConnected))
            {
                End(publisher, "the publisher closed the connection", error: null);
            }
        }
        catch (SrtException e) when (e.IsDisconnect)
        {
            End(publisher, "the SRT link ended: " + e.Message, error: null);
        }
        catch (Exception e)
        {
            End(publisher, e.Message, e);
        }
    }

    /// <summary><c>srt_recvmsg</c> into the ring's slice: one SRT message (up to 1456 bytes, 1316 from most encoders).</summary>
    private static int Receive(Span<byte> destination, Publisher publisher)
    {
        int received = LibSrt.srt_recvmsg(publisher.Socket.Id, ref MemoryMarshal.GetReference(destination), destination.Length);
        if (received > 0)
        {
            return received;
        }

        // Nothing more is the common case, once per socket per turn: tell it by the code alone, without building an error.
        if (received == 0 || LibSrt.srt_getlasterror(IntPtr.Zero) == LibSrt.ErrorWouldBlockReceive)
        {
            publisher.WouldBlock = received < 0;
            return 0;
        }

        throw LibSrt.LastError("srt_recvmsg");
    }

    private void EndIdlePublishers()
    {
        long now = Environment.TickCount64;
        foreach (Publisher publisher in _publishers.Values.ToArray())
        {
            if (now - publisher.LastReceived >= _idleTimeout.TotalMilliseconds)
            {
                End(publisher, $"nothing received for {_idleTimeout.TotalSeconds:0} s", error: null);
            }
        }
    }

    private void End(Publisher publisher, string reason, Exception? error)
    {
        _publishers.Remove(publisher.Socket.Id);
        Volatile.Write(ref _publisherCount, _publishers.Count);
        _ = LibSrt.srt_epoll_remove_usock(_epoll, publisher.Socket.Id); // closing removes it too; this keeps the set exact
        publisher.Socket.Dispose();
        _channels.EndPublishing(publisher.Channel, error);
        ServerLog.PublishEnded(_logger, publisher.Channel.Name, publisher.Channel.BytesReceived, reason);
    }

    /// <summary>Ends every publisher and closes the listener; on the loop's thread as it exits (or at dispose when it never ran).</summary>
    private void Shutdown()
    {
        foreach (Publisher publisher in _publishers.Values.ToArray())
        {
            End(publisher, "the server is stopping", error: null);
        }

        _listener.Dispose();
        _ = LibSrt.srt_epoll_release(_epoll);
        _ = LibSrt.srt_cleanup();
    }

    /// <summary>One SRT publisher: its socket and channel, touched only by the loop's thread.</summary>
    private sealed class Publisher(SrtSocket socket, LiveChannel channel)
    {
        public SrtSocket Socket { get; } = socket;

        public LiveChannel Channel { get; } = channel;

        public long LastReceived { get; set; } = Environment.TickCount64;

        /// <summary>Set by the last receive: the socket held nothing more (as opposed to the link having ended).</summary>
        public bool WouldBlock { get; set; }
    }
}
