using System.Net.Sockets;

namespace MediaServer.Hosting;

/// <summary>
/// How socket I/O ends, for every protocol on the transport (the accept loop, the HTTP connections, the raw ingest, the
/// live viewers): the peer going away, a timeout or the server stopping is the expected end of a connection, logged
/// as such; anything else is a fault.
/// </summary>
internal static class SocketErrors
{
    /// <summary>
    /// Whether <paramref name="e"/> is the peer going away (reset, abort), a timeout (a canceled token, or a send that
    /// stalled past <c>SendOptions.StallTimeout</c>) or the server stopping (a canceled token, a disposed socket): an
    /// expected end of the connection, not a fault.
    /// </summary>
    public static bool IsDisconnect(Exception e) =>
        e is OperationCanceledException or ObjectDisposedException or TimeoutException
        || e is SocketException { SocketErrorCode: SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown or SocketError.OperationAborted or SocketError.TimedOut or SocketError.Interrupted }
        || e is IOException { InnerException: SocketException inner } && IsDisconnect(inner);

    /// <summary>
    /// Whether <paramref name="e"/> says the process or the system ran out of file descriptors (<c>EMFILE</c>,
    /// <c>ENFILE</c>) or socket buffers: a passing condition to wait out, not a reason to stop accepting.
    /// </summary>
    public static bool IsDescriptorExhaustion(SocketException e) =>
        e.SocketErrorCode is SocketError.TooManyOpenSockets or SocketError.NoBufferSpaceAvailable;
}
