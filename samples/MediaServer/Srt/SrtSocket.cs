using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace MediaServer.Srt;

/// <summary>
/// One SRT socket (an <c>SRTSOCKET</c> id of libsrt): a listener, a caller, or a connection a listener accepted. Closed
/// once, by <see cref="Dispose"/>; every call after that fails with libsrt's "invalid socket" error rather than touching
/// another socket, since libsrt does not reuse ids.
/// </summary>
internal sealed class SrtSocket : IDisposable
{
    private int _closed;

    private SrtSocket(int id) => Id = id;

    /// <summary>libsrt's id of the socket.</summary>
    public int Id { get; }

    /// <summary>Creates a socket (libsrt must be loaded and started: <c>srt_startup</c>).</summary>
    /// <exception cref="SrtException">libsrt refused.</exception>
    public static SrtSocket Create()
    {
        int id = LibSrt.srt_create_socket();
        return id < 0 ? throw LibSrt.LastError("srt_create_socket") : new SrtSocket(id);
    }

    /// <summary>Takes ownership of a socket libsrt handed out (by <c>srt_accept</c>).</summary>
    public static SrtSocket FromAccepted(int id) => new(id);

    /// <summary>Sets an integer option (<c>srt_setsockflag</c>).</summary>
    public void Set(int option, int value, string name)
    {
        if (LibSrt.srt_setsockflag(Id, option, ref value, sizeof(int)) < 0)
        {
            throw LibSrt.LastError($"setting {name} to {value}");
        }
    }

    /// <summary>Sets a string option (the passphrase, the stream id).</summary>
    public void Set(int option, string value, string name)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(value);
        if (LibSrt.srt_setsockflag(Id, option, bytes, bytes.Length) < 0)
        {
            throw LibSrt.LastError($"setting {name}");
        }
    }

    /// <summary>The stream id the caller sent (<c>SRTO_STREAMID</c>), empty when none.</summary>
    public string StreamId
    {
        get
        {
            byte[] value = new byte[LibSrt.MaxStreamIdLength + 1];
            int length = value.Length;
            return LibSrt.srt_getsockflag(Id, LibSrt.OptionStreamId, value, ref length) < 0 ? "" : Encoding.UTF8.GetString(value, 0, length);
        }
    }

    /// <summary>Whether the connection is up (<c>SRTS_CONNECTED</c>).</summary>
    public bool IsConnected => LibSrt.srt_getsockstate(Id) == LibSrt.StateConnected;

    /// <summary>The address the socket is bound to.</summary>
    public IPEndPoint LocalEndPoint
    {
        get
        {
            byte[] address = new byte[128];
            int length = address.Length;
            return LibSrt.srt_getsockname(Id, address, ref length) < 0 ? throw LibSrt.LastError("srt_getsockname") : ToEndPoint(address, length);
        }
    }

    /// <summary>Binds to <paramref name="endPoint"/> and listens.</summary>
    /// <exception cref="SrtException">The port is taken, or libsrt refused.</exception>
    public void Listen(IPEndPoint endPoint, int backlog)
    {
        byte[] address = ToSockaddr(endPoint);
        if (LibSrt.srt_bind(Id, address, address.Length) < 0)
        {
            throw LibSrt.LastError($"binding SRT to udp://{endPoint}");
        }

        if (LibSrt.srt_listen(Id, backlog) < 0)
        {
            throw LibSrt.LastError($"listening for SRT on udp://{endPoint}");
        }
    }

    /// <summary>
    /// Accepts the next connection a non-blocking listener has ready; <see langword="null"/> when none is (the listener's
    /// readiness said there might be).
    /// </summary>
    public SrtSocket? TryAccept(out IPEndPoint? peer)
    {
        byte[] address = new byte[128];
        int length = address.Length;
        int id = LibSrt.srt_accept(Id, address, ref length);
        if (id < 0)
        {
            peer = null;
            SrtException error = LibSrt.LastError("srt_accept");
            return error.Code == LibSrt.ErrorWouldBlockReceive ? null : throw error;
        }

        peer = ToEndPoint(address, length);
        return FromAccepted(id);
    }

    /// <summary>Connects, as a caller (encoders and the tests); blocking, up to the connect timeout.</summary>
    /// <exception cref="SrtException">Refused (<see cref="RejectReason"/> says why) or unreachable.</exception>
    public void Connect(IPEndPoint endPoint)
    {
        byte[] address = ToSockaddr(endPoint);
        if (LibSrt.srt_connect(Id, address, address.Length) < 0)
        {
            throw LibSrt.LastError($"connecting to srt://{endPoint}");
        }
    }

    /// <summary>Why the peer rejected the connection: libsrt's code (below 1000) or the application's (1000 and up).</summary>
    public int RejectReason => LibSrt.srt_getrejectreason(Id);

    /// <summary>Sends one message (a blocking caller's send; at most <see cref="LibSrt.MaxPayloadSize"/> bytes in live mode).</summary>
    public void Send(ReadOnlySpan<byte> message)
    {
        if (LibSrt.srt_send(Id, ref MemoryMarshal.GetReference(message), message.Length) < 0)
        {
            throw LibSrt.LastError("srt_send");
        }
    }

    /// <summary>The link's statistics since it opened.</summary>
    public SrtLinkStatistics GetStatistics()
    {
        if (LibSrt.srt_bstats(Id, out LibSrt.Statistics s, clear: 0) < 0)
        {
            return default;
        }

        return new SrtLinkStatistics(s.RoundTripMs, s.ReceiveRateMbps, s.PacketsReceived, s.PacketsLost, s.PacketsRetransmitted, s.PacketsDropped, (long)s.BytesReceived);
    }

    /// <summary>Closes the socket; later calls do nothing.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 0)
        {
            _ = LibSrt.srt_close(Id); // fails only when libsrt already closed it (a broken link it reaped)
        }
    }

    public override string ToString() => $"SRT socket {Id}";

    /// <summary>The platform's <c>sockaddr</c> for <paramref name="endPoint"/> (what .NET's <see cref="SocketAddress"/> holds).</summary>
    internal static byte[] ToSockaddr(IPEndPoint endPoint) => endPoint.Serialize().Buffer.ToArray();

    /// <summary>The endpoint in a <c>sockaddr</c> libsrt wrote; <see langword="null"/> for a family other than IPv4 and IPv6.</summary>
    internal static IPEndPoint ToEndPoint(ReadOnlySpan<byte> sockaddr, int length)
    {
        AddressFamily family = length >= 2 && BitConverter.ToUInt16(sockaddr) == 10 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
        var address = new SocketAddress(family, Math.Min(length, family == AddressFamily.InterNetworkV6 ? 28 : 16));
        sockaddr[..address.Size].CopyTo(address.Buffer.Span);
        return (IPEndPoint)new IPEndPoint(IPAddress.Any, 0).Create(address);
    }
}
