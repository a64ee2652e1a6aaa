using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ZeroCopy.Internal;

namespace ZeroCopy;

/// <summary>
/// The library's own event loop for sockets on Linux: one thread per core waiting in <c>epoll_wait(2)</c>, on which a
/// send that filled the socket, or a connection waiting for its next request, continues inline when the kernel says it
/// can, with no hand-off to the thread pool. Every send of the library goes through it; a server runs its connections on
/// it with <see cref="WaitReadableAsync"/> and <see cref="ReceiveAsync"/>.
/// </summary>
/// <remarks>
/// <para>
/// <b>What changes for the caller.</b> An awaited operation that had to wait resumes on a loop thread (named
/// <c>ZeroCopy socket loop N</c>). Code that runs there runs for every socket of that loop: it must not block (no
/// <c>Task.Wait</c>, <c>.Result</c>, <c>Thread.Sleep</c>, synchronous file or network I/O, long CPU work). Hand such work to
/// the thread pool (<c>await Task.Run(…)</c>) and await it. A turn longer than <see cref="LongTurnThreshold"/> is counted
/// (<see cref="SocketLoopCounters.LongTurns"/>); watch that counter in production.
/// </para>
/// <para>
/// <b>Where it runs.</b> On Linux, unless switched off with the environment variable <c>ZEROCOPY_SOCKET_LOOP=0</c> or the
/// <see cref="AppContext"/> switch <c>ZeroCopy.SocketLoop.Disable</c> (for A/B runs, or as a fallback). Elsewhere, and
/// when off, every member here forwards to the framework's <see cref="Socket"/> methods, with the same results and
/// exceptions.
/// </para>
/// <para>
/// <b>Errors.</b> As through the framework: <see cref="SocketException"/> with the socket's error code,
/// <see cref="OperationCanceledException"/> on cancellation, <see cref="ObjectDisposedException"/> when the socket is
/// disposed meanwhile (noticed within 100 ms). One receive and one send may wait on a socket at a time.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// // A keep-alive connection that waits for its next request on the loop, holding no buffer meanwhile.
/// await SocketLoop.WaitReadableAsync(socket, idleTimeout.Token);
/// int received = await SocketLoop.ReceiveAsync(socket, headBuffer, cancellationToken);
/// await cache.SendWithHeadAsync(socket, responseHead, offset, length, options, cancellationToken);
/// </code>
/// </example>
public static class SocketLoop
{
    /// <summary>Whether sends and the members here use the library's loop (Linux, not switched off).</summary>
    public static bool IsEnabled { get; } = ComputeEnabled();

    /// <summary>A loop turn longer than this (50 ms) is counted in <see cref="SocketLoopCounters.LongTurns"/>: something blocked the loop.</summary>
    public static TimeSpan LongTurnThreshold { get; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Whether the calling code runs on one of the loop's threads.</summary>
    public static bool IsLoopThread => EpollLoop.IsLoopThread;

    /// <summary>What the loop has done since the process started: subtract two snapshots for a period's counts. O(1), no allocation.</summary>
    /// <returns>A snapshot of the counters.</returns>
    public static SocketLoopCounters GetCounters() => SocketLoopStatistics.Snapshot();

    /// <summary>
    /// Waits until <paramref name="socket"/> has bytes to receive (or the peer closed it), without a buffer: the idle wait
    /// of a kept-alive connection. On the loop, the awaiting code continues on the loop's thread.
    /// </summary>
    /// <param name="socket">A connected stream socket.</param>
    /// <param name="cancellationToken">Ends the wait (an idle timeout, a server stopping).</param>
    /// <returns>A task that completes when a receive would not block.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="socket"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">Another receive already waits on this socket on the loop.</exception>
    /// <exception cref="ObjectDisposedException">The socket is, or was meanwhile, disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    /// <exception cref="SocketException">The connection failed.</exception>
    public static ValueTask WaitReadableAsync(Socket socket, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(socket);
        if (!IsEnabled)
        {
            return WaitThroughFrameworkAsync(socket, cancellationToken);
        }

        SafeSocketHandle handle = socket.SafeHandle;
        return EpollLoop.For((int)handle.DangerousGetHandle()).WaitAsync(handle, forSend: false, long.MaxValue, cancellationToken);

        static async ValueTask WaitThroughFrameworkAsync(Socket socket, CancellationToken cancellationToken) =>
            await socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Receives what has arrived into <paramref name="buffer"/>, waiting on the loop when nothing has: one non-blocking
    /// <c>recv(2)</c> when bytes are there, no allocation.
    /// </summary>
    /// <param name="socket">A connected stream socket.</param>
    /// <param name="buffer">Where the bytes land, in place.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The number of bytes received, at least 1; 0 when the peer closed the connection (or <paramref name="buffer"/> is empty, after a wait for data).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="socket"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">Another receive already waits on this socket on the loop.</exception>
    /// <exception cref="ObjectDisposedException">The socket is, or was meanwhile, disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    /// <exception cref="SocketException">The connection failed (for example, it was reset).</exception>
    public static ValueTask<int> ReceiveAsync(Socket socket, Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(socket);
        if (!IsEnabled)
        {
            return socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<int>(cancellationToken);
        }

        if (!buffer.IsEmpty)
        {
            int received = TryReceive(socket.SafeHandle, buffer.Span, out int errno);
            if (received >= 0)
            {
                return new ValueTask<int>(received);
            }

            if (errno != Libc.EAgain && errno != Libc.EIntr)
            {
                return ValueTask.FromException<int>(new SocketException((int)SocketErrorMapping.FromErrno(errno)));
            }
        }

        return ReceiveAfterWaitAsync(socket.SafeHandle, buffer, cancellationToken);

        [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
        static async ValueTask<int> ReceiveAfterWaitAsync(SafeSocketHandle handle, Memory<byte> buffer, CancellationToken cancellationToken)
        {
            EpollLoop loop = EpollLoop.For((int)handle.DangerousGetHandle());
            while (true)
            {
                await loop.WaitAsync(handle, forSend: false, long.MaxValue, cancellationToken).ConfigureAwait(false);
                if (buffer.IsEmpty)
                {
                    return 0;
                }

                int received = TryReceive(handle, buffer.Span, out int errno);
                if (received >= 0)
                {
                    return received;
                }

                if (errno != Libc.EAgain && errno != Libc.EIntr)
                {
                    throw new SocketException((int)SocketErrorMapping.FromErrno(errno));
                }
            }
        }
    }

    /// <summary>One non-blocking <c>recv(2)</c>, the handle held so that its descriptor cannot be closed and reused meanwhile.</summary>
    private static unsafe int TryReceive(SafeSocketHandle handle, Span<byte> buffer, out int errno)
    {
        bool added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            SocketLoopStatistics.CountReceiveCall();
            nint received;
            fixed (byte* pointer = buffer)
            {
                received = Libc.Receive((int)handle.DangerousGetHandle(), pointer, (nuint)buffer.Length, Libc.MsgDontWait);
            }

            errno = received < 0 ? Marshal.GetLastPInvokeError() : 0;
            return (int)received;
        }
        finally
        {
            handle.DangerousRelease();
        }
    }

    private static bool ComputeEnabled()
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        if (AppContext.TryGetSwitch("ZeroCopy.SocketLoop.Disable", out bool disabled) && disabled)
        {
            return false;
        }

        string? variable = Environment.GetEnvironmentVariable("ZEROCOPY_SOCKET_LOOP");
        return variable is null || !(variable == "0" || variable.Equals("false", StringComparison.OrdinalIgnoreCase) || variable.Equals("off", StringComparison.OrdinalIgnoreCase));
    }
}
