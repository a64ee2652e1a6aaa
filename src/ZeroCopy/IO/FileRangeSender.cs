using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Threading.Tasks.Sources;

namespace ZeroCopy;

/// <summary>
/// Sends a range of a file to a socket with the kernel's file-to-socket path (<c>sendfile(2)</c> on Linux,
/// <c>TransmitPackets</c> on Windows) through the framework's <see cref="Socket.SendPacketsAsync"/>, in bounded pieces.
/// The bytes never pass through user space.
/// </summary>
/// <remarks>
/// The framework's path only (<see cref="SocketSender"/> decides when): on the socket loop the sender calls
/// <c>sendfile(2)</c> itself. Each piece costs the framework's own bookkeeping (about half a kilobyte per call on .NET 10: its packet element and
/// its internal operation); the event args that carry the pieces are pooled. <see cref="Socket.SendPacketsAsync"/> cannot
/// be canceled, so cancellation while a piece is in flight shuts the socket down, which ends the piece: the caller closes
/// the connection afterwards, as after any canceled send.
/// </remarks>
internal static class FileRangeSender
{
    private static readonly ConcurrentQueue<Operation> s_pool = new();
    private static long s_piecesSent;

    /// <summary>The pieces sent from files since the process started: lets tests prove a send took this path.</summary>
    internal static long PiecesSent => Volatile.Read(ref s_piecesSent);

    /// <summary>Sends <c>[offset, offset + length)</c> of <paramref name="file"/>, at most <paramref name="maxPieceSize"/> bytes per call.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public static async ValueTask SendAsync(Socket socket, FileStream file, long offset, long length, int maxPieceSize, CancellationToken cancellationToken)
    {
        if (!s_pool.TryDequeue(out Operation? operation))
        {
            operation = new Operation();
        }

        try
        {
            while (length > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int piece = (int)Math.Min(length, maxPieceSize);
                await operation.SendAsync(socket, file, offset, piece, cancellationToken).ConfigureAwait(false);
                Interlocked.Increment(ref s_piecesSent);
                offset += piece;
                length -= piece;
            }
        }
        finally
        {
            operation.Clear();
            if (s_pool.Count < Environment.ProcessorCount * 4)
            {
                s_pool.Enqueue(operation);
            }
            else
            {
                operation.Dispose();
            }
        }
    }

    /// <summary>Reusable event args awaited as a <see cref="ValueTask"/>: one piece at a time.</summary>
    private sealed class Operation : SocketAsyncEventArgs, IValueTaskSource
    {
        private readonly SendPacketsElement[] _elements = new SendPacketsElement[1];
        private ManualResetValueTaskSourceCore<bool> _core;
        private CancellationToken _cancellationToken;
        private CancellationTokenRegistration _registration;

        public Operation()
            : base(unsafeSuppressExecutionContextFlow: true)
        {
            _core.RunContinuationsAsynchronously = true;
        }

        public ValueTask SendAsync(Socket socket, FileStream file, long offset, int count, CancellationToken cancellationToken)
        {
            _core.Reset();
            _cancellationToken = cancellationToken;
            _elements[0] = new SendPacketsElement(file, offset, count, endOfPacket: true);
            SendPacketsElements = _elements;
            _registration = cancellationToken.CanBeCanceled
                ? cancellationToken.UnsafeRegister(static state => ((Socket)state!).ShutdownQuietly(), socket)
                : default;
            if (!socket.SendPacketsAsync(this))
            {
                _registration.Dispose();
                return SocketError == SocketError.Success ? default : ValueTask.FromException(Fail());
            }

            return new ValueTask(this, _core.Version);
        }

        public void Clear()
        {
            _elements[0] = null!;
            SendPacketsElements = null;
            _cancellationToken = default;
        }

        public void GetResult(short token)
        {
            _registration.Dispose(); // after the piece: a cancellation from now on is seen between pieces
            _core.GetResult(token);
            if (SocketError != SocketError.Success)
            {
                throw Fail();
            }
        }

        public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

        public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
            _core.OnCompleted(continuation, state, token, flags);

        protected override void OnCompleted(SocketAsyncEventArgs e) => _core.SetResult(true);

        private Exception Fail() =>
            _cancellationToken.IsCancellationRequested ? new OperationCanceledException(_cancellationToken) : new SocketException((int)SocketError);
    }
}
