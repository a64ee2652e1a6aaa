using System.Buffers;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using ZeroCopy.Internal;
using ZeroCopy.Segments;

namespace ZeroCopy;

/// <summary>
/// The library's one send path: every send it makes (a cache's range, a ring's bytes, a caller's sequence, a response
/// head with its body) comes here, and this type alone decides the system call, the piece size, whether the kernel reads
/// the bytes from the store's file (<c>sendfile(2)</c>) or from memory, and how a stall ends.
/// </summary>
/// <remarks>
/// <para>
/// <b>On the socket loop</b> (<see cref="SocketLoop.IsEnabled"/>: Linux, not switched off) a send is made non-blocking on
/// the calling thread until the socket is full: <c>sendmsg(2)</c> with one vector per piece of memory, the head first, so
/// a head and a short body leave in one call; or, for a body of more than <see cref="LoopSendFileThreshold"/> bytes in a
/// store with a file (mapped, shared memory), <c>send(2)</c> of the head with <c>MSG_MORE</c> then <c>sendfile(2)</c>
/// from the file. When the socket is full it waits on the loop, which continues the send on its own thread.
/// </para>
/// <para>
/// <b>Through the framework</b> (Windows, macOS, the switch off): the socket's own
/// <see cref="Socket.SendAsync(ReadOnlyMemory{byte}, SocketFlags, CancellationToken)"/>, and
/// <see cref="FileRangeSender"/> for a file range longer than <see cref="SocketExtensions.DefaultMaxSendSize"/>, where its
/// cost per call pays. (A socket still in blocking mode stays on the loop: one empty framework send makes it
/// non-blocking first.)
/// </para>
/// <para>
/// Either way, the bytes never leave the memory or file they are in; the caller holds a use of the store for the call.
/// </para>
/// </remarks>
internal static class SocketSender
{
    /// <summary>A body longer than this, in a store with a file, goes out with <c>sendfile(2)</c> on the loop: the kernel takes page references instead of copying.</summary>
    internal const int LoopSendFileThreshold = 64 * 1024;

    private const int MaxVectors = 16;
    private const int SendFlags = Libc.MsgDontWait | Libc.MsgNoSignal;

    /// <summary>The pieces sent from a store's file since the process started, on either path: lets tests prove a send took it.</summary>
    internal static long FilePiecesSent => FileRangeSender.PiecesSent + SocketLoop.GetCounters().SendFileCalls;

    /// <summary>
    /// Whether a body of <paramref name="length"/> bytes in a store with a file is sent from the file: on the loop when
    /// it is longer than <see cref="LoopSendFileThreshold"/>; through the framework only when it is longer than one piece
    /// (<see cref="SocketExtensions.DefaultMaxSendSize"/>), because <see cref="Socket.SendPacketsAsync"/> costs a thread-pool
    /// hop and half a kilobyte per call, which a shorter range does not repay (docs/benchmarks.md, section 7).
    /// </summary>
    internal static bool SendsFromFile(long length) =>
        length > (SocketLoop.IsEnabled ? LoopSendFileThreshold : SocketExtensions.DefaultMaxSendSize);

    /// <summary>
    /// Sends <paramref name="head"/> then <paramref name="body"/>. When <paramref name="fileStore"/> is given, a store with
    /// a file (mapped, shared memory), the body's bytes are also its file's from <paramref name="fileOffset"/>, wrapping to 0 at <paramref name="fileWrap"/> (a ring's
    /// capacity; 0 for no wrap), and a long body is sent from the file.
    /// </summary>
    public static ValueTask SendAsync(Socket socket, ReadOnlyMemory<byte> head, ReadOnlySequence<byte> body, SegmentStore? fileStore, long fileOffset, long fileWrap, SendOptions options, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        if (head.IsEmpty && body.IsEmpty)
        {
            return default;
        }

        if (SocketLoop.IsEnabled)
        {
            SafeFileHandle? file = SendsFromFile(body.Length) ? fileStore?.FileHandle : null;
            return file is null || IsNonBlocking(socket.SafeHandle)
                ? LoopAsync(socket.SafeHandle, head, body, file, fileOffset, fileWrap, options, cancellationToken)
                : LoopAfterNonBlockingAsync(socket, head, body, file, fileOffset, fileWrap, options, cancellationToken);
        }

        return FrameworkAsync(socket, head, body, fileStore?.File, fileOffset, fileWrap, options, cancellationToken);
    }

    /// <summary>
    /// <c>sendfile(2)</c> has no per-call non-blocking flag: on a socket still in blocking mode (one the framework has not
    /// yet used asynchronously) it would block the thread until the whole piece is sent. An empty asynchronous send puts
    /// the socket in non-blocking mode the framework's way, so its own synchronous calls keep working; once per socket.
    /// It also registers the socket with the framework's epoll engine, which then wakes for its readiness changes: a
    /// server that makes only asynchronous calls avoids that by setting <see cref="Socket.Blocking"/> to false at accept.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private static async ValueTask LoopAfterNonBlockingAsync(Socket socket, ReadOnlyMemory<byte> head, ReadOnlySequence<byte> body, SafeFileHandle file, long fileOffset, long fileWrap, SendOptions options, CancellationToken cancellationToken)
    {
        await socket.SendAsync(ReadOnlyMemory<byte>.Empty, SocketFlags.None, cancellationToken).ConfigureAwait(false);
        bool nonBlocking = IsNonBlocking(socket.SafeHandle);
        await LoopAsync(socket.SafeHandle, head, body, nonBlocking ? file : null, fileOffset, fileWrap, options, cancellationToken).ConfigureAwait(false);
    }

    private static bool IsNonBlocking(SafeSocketHandle handle)
    {
        bool added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            int fd = (int)handle.DangerousGetHandle();
            EpollLoop loop = EpollLoop.For(fd);
            if (loop.IsKnownNonBlocking(handle, fd))
            {
                return true;
            }

            int flags = Libc.Fcntl(fd, Libc.FGetFl);
            bool nonBlocking = flags >= 0 && (flags & Libc.ONonBlock) != 0;
            if (nonBlocking)
            {
                loop.RememberNonBlocking(handle, fd);
            }

            return nonBlocking;
        }
        finally
        {
            handle.DangerousRelease();
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private static async ValueTask LoopAsync(SafeSocketHandle socket, ReadOnlyMemory<byte> head, ReadOnlySequence<byte> body, SafeFileHandle? file, long fileOffset, long fileWrap, SendOptions options, CancellationToken cancellationToken)
    {
        // No reference on the socket is held across a wait: Socket.Dispose waits until every reference is given back, and
        // a dispose on this socket's loop thread would wait forever for one that only that thread can release. Each
        // system call takes one (SendOnceOn), so the descriptor's number cannot change under the call.
        int inFd = file is null ? -1 : (int)file.DangerousGetHandle();
        EpollLoop loop = EpollLoop.For((int)socket.DangerousGetHandle());
        int headSent = 0;
        long bodySent = 0;
        long sinceWait = 0;
        while (headSent < head.Length || bodySent < body.Length)
        {
            cancellationToken.ThrowIfCancellationRequested();
            long sent = SendOnceOn(socket, head.Span[headSent..], body, bodySent, inFd, fileOffset, fileWrap, options.MaxPieceSize, out int errno);
            if (sent < 0)
            {
                if (errno == Libc.EIntr)
                {
                    continue;
                }

                if (errno != Libc.EAgain)
                {
                    throw new SocketException((int)SocketErrorMapping.FromErrno(errno));
                }

                await loop.WaitAsync(socket, forSend: true, options.DeadlineFromNow(), cancellationToken).ConfigureAwait(false);
                sinceWait = 0;
                continue;
            }

            if (sent == 0)
            {
                // Only sendfile(2) returns 0 for a count above 0: the file ends before the range does.
                throw new IOException($"The store's file ended before the range: nothing left at offset {fileOffset + bodySent}.");
            }

            int fromHead = (int)Math.Min(sent, head.Length - headSent);
            headSent += fromHead;
            bodySent += sent - fromHead;
            sinceWait += sent;
            if (sinceWait >= options.MaxPieceSize && bodySent < body.Length)
            {
                // A full piece went out: on the loop's thread, let its other sockets go first (as nginx posts a
                // connection that sent sendfile_max_chunk to the next pass); no system call, no sleep.
                await loop.YieldAsync(socket, forSend: true).ConfigureAwait(false);
                sinceWait = 0;
            }
        }
    }

    /// <summary>
    /// <see cref="SendOnce"/> under a reference on the socket's handle, so that its descriptor stays this socket's for the
    /// call. A socket disposed before it throws <see cref="ObjectDisposedException"/>.
    /// </summary>
    private static long SendOnceOn(SafeSocketHandle socket, ReadOnlySpan<byte> headRest, in ReadOnlySequence<byte> body, long bodySent, int inFd, long fileOffset, long fileWrap, int maxPiece, out int errno)
    {
        bool added = false;
        socket.DangerousAddRef(ref added);
        try
        {
            return SendOnce((int)socket.DangerousGetHandle(), headRest, body, bodySent, inFd, fileOffset, fileWrap, maxPiece, out errno);
        }
        finally
        {
            socket.DangerousRelease();
        }
    }

    /// <summary>One non-blocking system call; returns the bytes it took, or -1 with <paramref name="errno"/>.</summary>
    private static unsafe long SendOnce(int fd, ReadOnlySpan<byte> headRest, in ReadOnlySequence<byte> body, long bodySent, int inFd, long fileOffset, long fileWrap, int maxPiece, out int errno)
    {
        errno = 0;
        long result;
        if (inFd >= 0 && headRest.IsEmpty)
        {
            long position = fileOffset + bodySent;
            long count = Math.Min(body.Length - bodySent, maxPiece);
            if (fileWrap > 0)
            {
                position %= fileWrap;
                count = Math.Min(count, fileWrap - position);
            }

            SocketLoopStatistics.CountSendFileCall();
            result = Libc.SendFile(fd, inFd, &position, (nuint)count);
        }
        else if (inFd >= 0)
        {
            // The head of a body sent from the file: MSG_MORE holds it back to leave in the body's first packet.
            SocketLoopStatistics.CountSendCall();
            fixed (byte* pointer = headRest)
            {
                result = Libc.Send(fd, pointer, (nuint)headRest.Length, SendFlags | Libc.MsgMore);
            }
        }
        else
        {
            return SendVectors(fd, headRest, body.Slice(bodySent), maxPiece, out errno);
        }

        if (result < 0)
        {
            errno = Marshal.GetLastPInvokeError();
        }

        return result;
    }

    /// <summary>
    /// <c>sendmsg(2)</c> of the head's rest and the body's first pieces, at most <paramref name="maxPiece"/> bytes of
    /// body and <see cref="MaxVectors"/> vectors. Each piece is pinned only for the call (the kernel copies it before the
    /// call returns); the caches' memory never moves, a caller's sequence might.
    /// </summary>
    private static unsafe long SendVectors(int fd, ReadOnlySpan<byte> headRest, ReadOnlySequence<byte> body, int maxPiece, out int errno)
    {
        Libc.IoVector* vectors = stackalloc Libc.IoVector[MaxVectors];
        Pins pins = default; // on the stack: no pool rent per call
        int count = 0;
        fixed (byte* headPointer = headRest)
        {
            if (!headRest.IsEmpty)
            {
                vectors[count++] = new Libc.IoVector { Base = (nint)headPointer, Length = (nuint)headRest.Length };
            }

            long budget = maxPiece;
            try
            {
                foreach (ReadOnlyMemory<byte> segment in body)
                {
                    if (count == MaxVectors || budget == 0)
                    {
                        break;
                    }

                    if (segment.IsEmpty)
                    {
                        continue;
                    }

                    ReadOnlyMemory<byte> piece = segment.Length > budget ? segment[..(int)budget] : segment;
                    MemoryHandle pin = piece.Pin();
                    pins[count] = pin;
                    vectors[count++] = new Libc.IoVector { Base = (nint)pin.Pointer, Length = (nuint)piece.Length };
                    budget -= piece.Length;
                }

                Libc.MessageHeader message = default;
                message.Vectors = vectors;
                message.VectorCount = (nuint)count;
                SocketLoopStatistics.CountSendCall();
                nint result = Libc.SendMessage(fd, &message, SendFlags);
                errno = result < 0 ? Marshal.GetLastPInvokeError() : 0; // before the pins are released, which may call out
                return result;
            }
            finally
            {
                for (int i = headRest.IsEmpty ? 0 : 1; i < count; i++)
                {
                    pins[i].Dispose();
                }
            }
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private static async ValueTask FrameworkAsync(Socket socket, ReadOnlyMemory<byte> head, ReadOnlySequence<byte> body, FileStream? file, long fileOffset, long fileWrap, SendOptions options, CancellationToken cancellationToken)
    {
        // A stall timeout through the framework needs a timer of its own (allocated per send, this path only).
        CancellationTokenSource? stall = options.HasStallTimeout ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken) : null;
        CancellationToken token = stall?.Token ?? cancellationToken;

        // The framework reports progress only when a whole call completes: under a stall timeout, calls no larger than
        // the socket's buffer, so that a slow reader's progress restarts the clock as often as it frees room.
        int piece = stall is null ? options.MaxPieceSize : Math.Min(Math.Max(socket.SendBufferSize, 16 * 1024), options.MaxPieceSize);
        try
        {
            await SendMemoryAsync(socket, head, piece, options, stall, token).ConfigureAwait(false);

            // SendPacketsAsync costs a hop and half a kilobyte per call: it pays only for a range longer than one piece.
            if (file is not null && body.Length > SocketExtensions.DefaultMaxSendSize)
            {
                for (long sent = 0; sent < body.Length;)
                {
                    long position = fileOffset + sent;
                    long count = Math.Min(body.Length - sent, piece);
                    if (fileWrap > 0)
                    {
                        position %= fileWrap;
                        count = Math.Min(count, fileWrap - position);
                    }

                    stall?.CancelAfter(options.StallTimeout);
                    await FileRangeSender.SendAsync(socket, file, position, count, piece, token).ConfigureAwait(false);
                    sent += count;
                }
            }
            else
            {
                foreach (ReadOnlyMemory<byte> segment in body)
                {
                    await SendMemoryAsync(socket, segment, piece, options, stall, token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stall is { IsCancellationRequested: true } && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"The socket accepted no byte within the stall timeout of {options.StallTimeout}.");
        }
        finally
        {
            stall?.Dispose();
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private static async ValueTask SendMemoryAsync(Socket socket, ReadOnlyMemory<byte> bytes, int maxPiece, SendOptions options, CancellationTokenSource? stall, CancellationToken token)
    {
        while (!bytes.IsEmpty)
        {
            ReadOnlyMemory<byte> piece = bytes.Length > maxPiece ? bytes[..maxPiece] : bytes;
            stall?.CancelAfter(options.StallTimeout);
            int sent = await socket.SendAsync(piece, SocketFlags.None, token).ConfigureAwait(false);
            bytes = bytes[sent..];
        }
    }

    /// <summary>The pins of one <c>sendmsg(2)</c>'s pieces, indexed like its vectors (the head's slot is unused).</summary>
    [InlineArray(MaxVectors)]
    private struct Pins
    {
        private MemoryHandle _first;
    }
}
