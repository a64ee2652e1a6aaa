using System.Net.Sockets;

namespace ZeroCopy;

/// <summary>
/// The <see cref="SocketError"/> for a Linux <c>errno</c> of a socket call, as the framework maps it, so that a send on the
/// loop fails with the same <see cref="SocketException.SocketErrorCode"/> as one through the framework.
/// </summary>
internal static class SocketErrorMapping
{
    public static SocketError FromErrno(int errno) => errno switch
    {
        1 or 13 => SocketError.AccessDenied,        // EPERM, EACCES
        4 => SocketError.Interrupted,               // EINTR
        9 => SocketError.OperationAborted,          // EBADF: the socket was closed
        11 => SocketError.WouldBlock,               // EAGAIN
        12 or 105 => SocketError.NoBufferSpaceAvailable, // ENOMEM, ENOBUFS
        14 => SocketError.Fault,                    // EFAULT
        22 => SocketError.InvalidArgument,          // EINVAL
        32 => SocketError.Shutdown,                 // EPIPE: the socket was shut down for sending
        88 => SocketError.NotSocket,                // ENOTSOCK
        90 => SocketError.MessageSize,              // EMSGSIZE
        100 => SocketError.NetworkDown,             // ENETDOWN
        101 => SocketError.NetworkUnreachable,      // ENETUNREACH
        103 => SocketError.ConnectionAborted,       // ECONNABORTED
        104 => SocketError.ConnectionReset,         // ECONNRESET
        107 => SocketError.NotConnected,            // ENOTCONN
        110 => SocketError.TimedOut,                // ETIMEDOUT
        111 => SocketError.ConnectionRefused,       // ECONNREFUSED
        113 => SocketError.HostUnreachable,         // EHOSTUNREACH
        _ => SocketError.SocketError,
    };
}
