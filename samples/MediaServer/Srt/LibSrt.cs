using System.Runtime.InteropServices;

namespace MediaServer.Srt;

/// <summary>
/// The calls of libsrt (Haivision's SRT library, 1.5: Debian's <c>libsrt1.5-openssl</c> or <c>libsrt1.5-gnutls</c>) the
/// ingest makes, declared as in <c>srt/srt.h</c>. Every argument is blittable (ints, byte arrays pinned for the call, a
/// <c>ref byte</c> for a span's first byte), so no marshalling code runs and no <c>unsafe</c> is needed. The library is
/// found under its Debian names first (<see cref="Candidates"/>); <see cref="TryLoad"/> says whether it is there.
/// </summary>
internal static class LibSrt
{
    private const string Library = "srt";

    /// <summary>The file names tried, in order: OpenSSL flavour, GnuTLS flavour (what Debian's ffmpeg pulls in), the development link.</summary>
    public static readonly string[] Candidates = ["libsrt.so.1.5", "libsrt-gnutls.so.1.5", "libsrt.so"];

    /// <summary>What to install when libsrt is missing, for the one line the server prints.</summary>
    public const string InstallHint = "apt-get install libsrt1.5-openssl";

    /// <summary>The largest payload of one SRT live-mode packet (<c>SRT_LIVE_MAX_PLSIZE</c>): a receive must offer this much.</summary>
    public const int MaxPayloadSize = 1456;

    // Socket options (SRT_SOCKOPT).
    public const int OptionReceiveSynchronous = 2;  // SRTO_RCVSYN: 0 makes receives and accepts non-blocking
    public const int OptionSendSynchronous = 1;     // SRTO_SNDSYN
    public const int OptionLatency = 23;            // SRTO_LATENCY: receiver and peer latency, milliseconds
    public const int OptionPassphrase = 26;         // SRTO_PASSPHRASE: 10 to 79 characters; AES encryption
    public const int OptionStreamId = 46;           // SRTO_STREAMID: up to 512 bytes
    public const int OptionPeerIdleTimeout = 55;    // SRTO_PEERIDLETIMEO: milliseconds of silence before the link breaks
    public const int OptionConnectTimeout = 36;     // SRTO_CONNTIMEO: milliseconds

    public const int MaxStreamIdLength = 512;

    // Errors (srt_getlasterror) the ingest tells apart.
    public const int ErrorConnectionRejected = 1002; // SRT_ECONNREJ
    public const int ErrorConnectionLost = 2001;     // SRT_ECONNLOST
    public const int ErrorNoConnection = 2002;       // SRT_ENOCONN
    public const int ErrorWouldBlockReceive = 6002;  // SRT_EASYNCRCV
    public const int ErrorTimeout = 6003;            // SRT_ETIMEOUT

    // Epoll events (SRT_EPOLL_OPT).
    public const int EpollIn = 0x1;
    public const int EpollErr = 0x8;

    /// <summary>srt_getsockstate: connected (SRTS_CONNECTED).</summary>
    public const int StateConnected = 5;

    private static readonly Lazy<string?> s_loadFailure = new(() => Load(Candidates));

    /// <summary>Whether libsrt can be loaded; when not, <paramref name="failure"/> is the one line to print.</summary>
    public static bool TryLoad(out string? failure)
    {
        failure = s_loadFailure.Value;
        return failure is null;
    }

    /// <summary>
    /// Loads the first of <paramref name="candidates"/> that exists and routes this assembly's <c>srt</c> imports to it;
    /// when none does, the one line to print. Called once, by <see cref="TryLoad"/> (tests call it with missing names).
    /// </summary>
    internal static string? Load(IReadOnlyList<string> candidates)
    {
        foreach (string name in candidates)
        {
            if (NativeLibrary.TryLoad(name, out IntPtr handle))
            {
                NativeLibrary.SetDllImportResolver(typeof(LibSrt).Assembly, (library, _, _) => library == Library ? handle : IntPtr.Zero);
                srt_setloglevel(2); // LOG_CRIT: the library's own stderr lines would duplicate the server's log
                return null;
            }
        }

        return $"libsrt is not installed (looked for {string.Join(", ", candidates)}): {InstallHint}";
    }

    /// <summary>The calling thread's last SRT error, as <c>srt_getlasterror</c> gives it, with its text.</summary>
    public static SrtException LastError(string operation)
    {
        int code = srt_getlasterror(IntPtr.Zero);
        string text = Marshal.PtrToStringUTF8(srt_getlasterror_str()) ?? "unknown error";
        return new SrtException(code, $"{operation}: {text} (SRT error {code})");
    }

    /// <summary>The text libsrt gives a rejection reason: its own codes below 1000, "application" codes above.</summary>
    public static string RejectReasonText(int reason) => Marshal.PtrToStringUTF8(srt_rejectreason_str(reason)) ?? reason.ToString();

    /// <summary>An event of <c>srt_epoll_uwait</c> (<c>SRT_EPOLL_EVENT</c>).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct EpollEvent
    {
        public int Socket;
        public int Events;
    }

    /// <summary>
    /// The fields of <c>SRT_TRACEBSTATS</c> (libsrt 1.5's <c>CBytePerfMon</c>, 496 bytes) the server reports, at the offsets
    /// the 1.5 header gives them (checked with the C compiler against <c>srt/srt.h</c> 1.5.1).
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 496)]
    public struct Statistics
    {
        [FieldOffset(16)] public long PacketsReceived;     // pktRecvTotal
        [FieldOffset(28)] public int PacketsLost;          // pktRcvLossTotal
        [FieldOffset(68)] public int PacketsDropped;       // pktRcvDropTotal: too late to play, never recovered
        [FieldOffset(88)] public ulong BytesReceived;      // byteRecvTotal
        [FieldOffset(164)] public int PacketsRetransmitted; // pktRcvRetrans (since the socket opened: never cleared here)
        [FieldOffset(192)] public double ReceiveRateMbps;  // mbpsRecvRate
        [FieldOffset(328)] public double RoundTripMs;      // msRTT
    }

#pragma warning disable SYSLIB1054 // DllImport, not LibraryImport: its generated code needs unsafe blocks, and every signature here is blittable.
    [DllImport(Library)] public static extern int srt_startup();
    [DllImport(Library)] public static extern int srt_cleanup();
    [DllImport(Library)] public static extern int srt_create_socket();
    [DllImport(Library)] public static extern int srt_bind(int socket, byte[] address, int addressLength);
    [DllImport(Library)] public static extern int srt_listen(int socket, int backlog);
    [DllImport(Library)] public static extern int srt_accept(int socket, [Out] byte[] address, ref int addressLength);
    [DllImport(Library)] public static extern int srt_listen_callback(int socket, ListenCallback hook, IntPtr opaque);
    [DllImport(Library)] public static extern int srt_connect(int socket, byte[] address, int addressLength);
    [DllImport(Library)] public static extern int srt_close(int socket);
    [DllImport(Library)] public static extern int srt_getsockname(int socket, [Out] byte[] address, ref int addressLength);
    [DllImport(Library)] public static extern int srt_setsockflag(int socket, int option, ref int value, int length);
    [DllImport(Library)] public static extern int srt_setsockflag(int socket, int option, byte[] value, int length);
    [DllImport(Library)] public static extern int srt_getsockflag(int socket, int option, [Out] byte[] value, ref int length);
    [DllImport(Library)] public static extern int srt_getsockstate(int socket);
    [DllImport(Library)] public static extern int srt_recvmsg(int socket, ref byte buffer, int length);
    [DllImport(Library)] public static extern int srt_send(int socket, ref byte buffer, int length);
    [DllImport(Library)] public static extern int srt_getlasterror(IntPtr errnoLocation);
    [DllImport(Library)] public static extern IntPtr srt_getlasterror_str();
    [DllImport(Library)] public static extern int srt_setrejectreason(int socket, int reason);
    [DllImport(Library)] public static extern int srt_getrejectreason(int socket);
    [DllImport(Library)] public static extern IntPtr srt_rejectreason_str(int reason);
    [DllImport(Library)] public static extern int srt_epoll_create();
    [DllImport(Library)] public static extern int srt_epoll_add_usock(int epoll, int socket, ref int events);
    [DllImport(Library)] public static extern int srt_epoll_remove_usock(int epoll, int socket);
    [DllImport(Library)] public static extern int srt_epoll_uwait(int epoll, [Out] EpollEvent[] events, int count, long timeoutMs);
    [DllImport(Library)] public static extern int srt_epoll_release(int epoll);
    [DllImport(Library)] public static extern int srt_bstats(int socket, out Statistics statistics, int clear);
    [DllImport(Library)] public static extern void srt_setloglevel(int level);
#pragma warning restore SYSLIB1054

    /// <summary>
    /// <c>srt_listen_callback_fn</c>: called on libsrt's receiving thread for each caller's handshake, before the
    /// connection is accepted; returning -1 rejects it (with the reason set by <c>srt_setrejectreason</c>). Must not throw.
    /// </summary>
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    public delegate int ListenCallback(IntPtr opaque, int socket, int handshakeVersion, IntPtr peerAddress, IntPtr streamId);
}
