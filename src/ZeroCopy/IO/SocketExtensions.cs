using System.Buffers;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using ZeroCopy.Internal;

namespace ZeroCopy;

/// <summary>
/// Receive straight into caller-owned memory and send from it, over a <see cref="Socket"/>: no intermediate buffers,
/// no copies in user space, and end of stream reported as a value.
/// </summary>
/// <remarks>
/// All methods allocate nothing per call in steady state: receives ride the socket's own cached awaitables, sends the
/// library's send path (on the <see cref="SocketLoop"/>, its reusable waits), and the state machines come from a pool. A connection reset or other socket error surfaces as the
/// <see cref="SocketException"/> the socket raised; a clean close by the peer is a short count.
/// </remarks>
public static class SocketExtensions
{
    /// <summary>
    /// The largest piece handed to the socket in one send by <see cref="SendAsync(Socket, ReadOnlySequence{byte}, CancellationToken)"/>:
    /// 1 MiB. Bounding each send lets many connections share the network fairly; one huge send starves the others.
    /// </summary>
    public const int DefaultMaxSendSize = 1024 * 1024;

    /// <summary>
    /// Receives into <paramref name="destination"/> until it is full or the peer closes the connection.
    /// </summary>
    /// <param name="socket">A connected stream socket.</param>
    /// <param name="destination">Where the bytes land, in place.</param>
    /// <param name="cancellationToken">Cancels the receive.</param>
    /// <returns>The number of bytes received: <c>destination.Length</c>, or fewer only when the peer closed the connection.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="socket"/> is <see langword="null"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled; part of <paramref name="destination"/> may have been written.</exception>
    /// <exception cref="SocketException">The connection failed (for example, it was reset).</exception>
    public static ValueTask<int> ReceiveFullyAsync(this Socket socket, Memory<byte> destination, CancellationToken cancellationToken = default) =>
        ReceiveAtLeastAsync(socket, destination, destination.Length, cancellationToken);

    /// <summary>
    /// Receives into <paramref name="destination"/> until at least <paramref name="minimumBytes"/> have arrived or the
    /// peer closes the connection; takes more, up to the buffer's length, when more are already there.
    /// </summary>
    /// <param name="socket">A connected stream socket.</param>
    /// <param name="destination">Where the bytes land, in place.</param>
    /// <param name="minimumBytes">How many bytes to wait for, at most <c>destination.Length</c>.</param>
    /// <param name="cancellationToken">Cancels the receive.</param>
    /// <returns>The number of bytes received: at least <paramref name="minimumBytes"/>, or fewer only when the peer closed the connection.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="socket"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="minimumBytes"/> is negative or larger than the buffer.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    /// <exception cref="SocketException">The connection failed (for example, it was reset).</exception>
    public static ValueTask<int> ReceiveAtLeastAsync(this Socket socket, Memory<byte> destination, int minimumBytes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(socket);
        if ((uint)minimumBytes > (uint)destination.Length)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(minimumBytes), minimumBytes, $"must be between 0 and the buffer's length {destination.Length}");
        }

        return minimumBytes == 0 ? new ValueTask<int>(0) : Core(socket, destination, minimumBytes, cancellationToken);

        [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
        static async ValueTask<int> Core(Socket socket, Memory<byte> destination, int minimumBytes, CancellationToken cancellationToken)
        {
            int total = 0;
            while (total < minimumBytes)
            {
                int received = await socket.ReceiveAsync(destination[total..], SocketFlags.None, cancellationToken).ConfigureAwait(false);
                if (received == 0)
                {
                    break; // The peer closed: a value, not an exception.
                }

                total += received;
            }

            return total;
        }
    }

    /// <summary>
    /// Sends every byte of <paramref name="data"/>, straight from its memory, in pieces of at most
    /// <see cref="DefaultMaxSendSize"/> bytes.
    /// </summary>
    /// <param name="socket">A connected stream socket.</param>
    /// <param name="data">The bytes to send; they must stay unchanged until the returned task completes.</param>
    /// <param name="cancellationToken">Cancels the send; part of the data may have been sent.</param>
    /// <returns>A task that completes when the socket has accepted every byte.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="socket"/> is <see langword="null"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    /// <exception cref="SocketException">The connection failed (for example, the peer reset it).</exception>
    public static ValueTask SendAsync(this Socket socket, ReadOnlySequence<byte> data, CancellationToken cancellationToken = default) =>
        SendAsync(socket, data, DefaultMaxSendSize, cancellationToken);

    /// <summary>
    /// Sends every byte of <paramref name="data"/>, straight from its memory, in pieces of at most
    /// <paramref name="maxSendSize"/> bytes.
    /// </summary>
    /// <param name="socket">A connected stream socket.</param>
    /// <param name="data">The bytes to send; they must stay unchanged until the returned task completes.</param>
    /// <param name="maxSendSize">The largest piece handed to the socket in one call; positive.</param>
    /// <param name="cancellationToken">Cancels the send; part of the data may have been sent.</param>
    /// <returns>A task that completes when the socket has accepted every byte.</returns>
    /// <remarks>
    /// On the socket loop (<see cref="SocketLoop"/>) the segments are gathered into each <c>sendmsg(2)</c>, at most
    /// <paramref name="maxSendSize"/> bytes per call; through the framework they are sent segment by segment.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="socket"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxSendSize"/> is not positive.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    /// <exception cref="SocketException">The connection failed (for example, the peer reset it).</exception>
    public static ValueTask SendAsync(this Socket socket, ReadOnlySequence<byte> data, int maxSendSize, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(socket);
        if (maxSendSize <= 0)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(maxSendSize), maxSendSize, "must be positive");
        }

        return SocketSender.SendAsync(socket, ReadOnlyMemory<byte>.Empty, data, fileStore: null, 0, 0, SendOptions.ForPieceSize(maxSendSize), cancellationToken);
    }

    /// <summary>
    /// Sends <paramref name="head"/> and then every byte of <paramref name="body"/>, straight from their memory: on the
    /// socket loop, in one <c>sendmsg(2)</c> when they fit the socket, so a response head and a short body leave together.
    /// </summary>
    /// <param name="socket">A connected stream socket.</param>
    /// <param name="head">The first bytes (a response head); may be empty.</param>
    /// <param name="body">The bytes after it; may be empty. Both must stay unchanged until the returned task completes.</param>
    /// <param name="options">The piece size and stall timeout; <see langword="null"/> for <see cref="SendOptions.Default"/>.</param>
    /// <param name="cancellationToken">Cancels the send; part of the data may have been sent.</param>
    /// <returns>A task that completes when the socket has accepted every byte.</returns>
    /// <remarks>No copy, and on the socket loop no allocation; through the framework (<see cref="SocketLoop.IsEnabled"/> false) the head and the body are sent one after the other.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="socket"/> is <see langword="null"/>.</exception>
    /// <exception cref="ObjectDisposedException">The socket has been disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    /// <exception cref="TimeoutException">The socket accepted no byte for <see cref="SendOptions.StallTimeout"/>.</exception>
    /// <exception cref="SocketException">The connection failed (for example, the peer reset it).</exception>
    public static ValueTask SendWithHeadAsync(this Socket socket, ReadOnlyMemory<byte> head, ReadOnlySequence<byte> body, SendOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(socket);
        return SocketSender.SendAsync(socket, head, body, fileStore: null, 0, 0, options ?? SendOptions.Default, cancellationToken);
    }

    /// <summary>
    /// Shuts <paramref name="socket"/> down in both directions, so that the kernel sends nothing more from it; a socket
    /// already closed or not connected is left as it is. For cut-offs and canceled sends, which never throw.
    /// </summary>
    internal static void ShutdownQuietly(this Socket socket)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Closed or not connected: nothing can be sent on it either.
        }
    }
}
