using System.ComponentModel;
using System.Runtime.InteropServices;

namespace IoUringSend;

/// <summary>
/// Sends ranges of the file over connected sockets through one io_uring on the calling thread, in one of three ways:
/// <c>IORING_OP_SEND</c> from the file's mapping (the kernel copies the bytes into the socket), <c>IORING_OP_SEND_ZC</c>
/// from the mapping (the kernel pins the pages and sends them, or copies when the route cannot take them), or
/// <c>IORING_OP_SPLICE</c> file → pipe → socket, linked pairs (what <c>sendfile(2)</c> does inside the kernel).
/// </summary>
/// <remarks>
/// One range per connection is in flight at a time, as one response per keep-alive connection. A SEND carries the whole
/// range with <c>MSG_WAITALL</c>: io_uring waits for room itself (its internal poll) and posts one completion when the
/// socket has taken every byte. A SPLICE chain carries up to <see cref="PiecesPerChain"/> pieces of one pipe's size; a
/// short splice breaks the chain (the rest complete with <c>-ECANCELED</c>) and the next chain starts where it ended,
/// the pipe's leftover first. The loop calls <c>io_uring_enter</c> once per turn: submit what is queued, and wait for
/// as many completions as the connection with the fewest operations in flight has (a whole chain).
/// </remarks>
internal sealed unsafe class UringSender : IDisposable
{
    private const int PiecesPerChain = 8;
    private const int ECanceled = 125;
    private const ulong FromFile = 1;     // user_data kind of a file → pipe splice
    private const ulong ToSocket = 2;     // user_data kind of a pipe → socket splice

    private readonly IoUring _ring = new(256);
    private readonly Variant _variant;
    private readonly int _fileFd;
    private readonly byte* _map;
    private readonly int _pipeSize;
    private long _notifications;          // SEND_ZC notifications taken
    private long _copied;                 // of those, the ones with IORING_NOTIF_USAGE_ZC_COPIED

    public UringSender(Variant variant, int fileFd, byte* map, int pipeSize)
    {
        _variant = variant;
        _fileFd = fileFd;
        _map = map;
        _pipeSize = pipeSize;
    }

    /// <summary>The ring's <c>features</c> word.</summary>
    public uint Features => _ring.Features;

    /// <summary>The <c>io_uring_enter</c> calls so far.</summary>
    public long EnterCalls => _ring.EnterCalls;

    /// <summary>SEND_ZC notifications so far, and those that said the kernel copied after all.</summary>
    public (long Notifications, long Copied) ZeroCopyNotifications => (_notifications, _copied);

    /// <summary>Sends every range of <paramref name="offsets"/>[c] on <paramref name="sockets"/>[c], returns when all are sent.</summary>
    public void Run(int[] sockets, long[][] offsets, int rangeSize)
    {
        var connections = new Connection[sockets.Length];
        int* fds = stackalloc int[2];
        try
        {
            for (int c = 0; c < sockets.Length; c++)
            {
                connections[c] = new Connection { Socket = sockets[c], Offsets = offsets[c] };
                if (_variant == Variant.UringSplice)
                {
                    if (Native.Pipe2(fds, Native.OCloexec) != 0)
                    {
                        throw new Win32Exception(Marshal.GetLastPInvokeError(), "pipe2");
                    }

                    connections[c].PipeRead = fds[0];
                    connections[c].PipeWrite = fds[1];
                    if (Native.Fcntl(fds[1], Native.FSetPipeSize, _pipeSize) < _pipeSize)
                    {
                        throw new Win32Exception(Marshal.GetLastPInvokeError(), "F_SETPIPE_SZ");
                    }
                }
            }

            int active = 0;
            for (int c = 0; c < connections.Length; c++)
            {
                if (connections[c].Offsets.Length > 0)
                {
                    active++;
                    Plan(connections, c, rangeSize);
                }
            }

            long pendingNotifications = 0;
            while (active > 0 || pendingNotifications > 0)
            {
                // No connection needs a new plan before all its operations complete: wait for as many completions as
                // the connection with the fewest in flight has (a splice chain's whole length), in one io_uring_enter.
                uint waitFor = uint.MaxValue;
                foreach (Connection connection in connections)
                {
                    if (connection.Range < connection.Offsets.Length)
                    {
                        waitFor = Math.Min(waitFor, (uint)connection.Outstanding);
                    }
                }

                _ring.Submit(waitFor == uint.MaxValue ? 1 : Math.Max(waitFor, 1));
                while (_ring.TryTake(out IoUring.Cqe cqe))
                {
                    if ((cqe.Flags & IoUring.CqeFlagNotification) != 0)
                    {
                        pendingNotifications--;
                        _notifications++;
                        if ((cqe.Result & IoUring.NotificationCopied) != 0)
                        {
                            _copied++;
                        }

                        continue;
                    }

                    if ((cqe.Flags & IoUring.CqeFlagMore) != 0)
                    {
                        pendingNotifications++;
                    }

                    int c = (int)(cqe.UserData >> 8);
                    if (Complete(ref connections[c], cqe, rangeSize))
                    {
                        active--;
                    }
                    else if (connections[c].Outstanding == 0)
                    {
                        Plan(connections, c, rangeSize);
                    }
                }
            }
        }
        finally
        {
            foreach (Connection connection in connections)
            {
                if (connection.PipeRead > 0)
                {
                    _ = Native.Close(connection.PipeRead);
                    _ = Native.Close(connection.PipeWrite);
                }
            }
        }
    }

    public void Dispose() => _ring.Dispose();

    /// <summary>Takes one completion; returns whether the connection has sent its last range.</summary>
    private static bool Complete(ref Connection connection, in IoUring.Cqe cqe, int rangeSize)
    {
        connection.Outstanding--;
        if (cqe.Result == -ECanceled)
        {
            return false; // a link after a short splice: nothing moved
        }

        if (cqe.Result < 0)
        {
            throw new Win32Exception(-cqe.Result, $"io_uring operation {cqe.UserData & 0xFF} on connection {cqe.UserData >> 8}");
        }

        if ((cqe.UserData & 0xFF) == FromFile)
        {
            connection.FileRead += cqe.Result;
            connection.InPipe += cqe.Result;
            return false;
        }

        if ((cqe.UserData & 0xFF) == ToSocket)
        {
            connection.InPipe -= cqe.Result;
        }

        connection.Sent += cqe.Result;
        if (connection.Sent < rangeSize || connection.Outstanding > 0)
        {
            return false;
        }

        connection.Range++;
        connection.Sent = 0;
        connection.FileRead = 0;
        return connection.Range == connection.Offsets.Length;
    }

    /// <summary>Queues the next operations of connection <paramref name="c"/>, which has none in flight.</summary>
    private void Plan(Connection[] connections, int c, int rangeSize)
    {
        ref Connection connection = ref connections[c];
        long offset = connection.Offsets[connection.Range];
        ulong data = (ulong)c << 8;
        if (_variant is Variant.UringSend or Variant.UringSendZeroCopy)
        {
            byte opcode = _variant == Variant.UringSend ? IoUring.OpSend : IoUring.OpSendZeroCopy;
            IoUring.Sqe* sqe = _ring.Next(opcode, connection.Socket, data);
            sqe->Address = (ulong)(_map + offset + connection.Sent);
            sqe->Length = (uint)(rangeSize - connection.Sent);
            sqe->OpFlags = Native.MsgWaitAll | Native.MsgNoSignal;
            if (opcode == IoUring.OpSendZeroCopy)
            {
                sqe->IoPriority = IoUring.SendZeroCopyReportUsage;
            }

            connection.Outstanding = 1;
            return;
        }

        // SPLICE: the pipe's leftover of a broken chain first, then pieces of the pipe's size, each file → pipe → socket.
        IoUring.Sqe* last = null;
        if (connection.InPipe > 0)
        {
            last = SpliceToSocket(ref connection, data, connection.InPipe);
        }

        long planned = connection.FileRead;
        for (int piece = 0; piece < PiecesPerChain && planned < rangeSize; piece++)
        {
            int length = (int)Math.Min(_pipeSize, rangeSize - planned);
            if (last is not null)
            {
                last->Flags |= IoUring.SqeIoLink;
            }

            IoUring.Sqe* read = _ring.Next(IoUring.OpSplice, connection.PipeWrite, data | FromFile);
            read->Offset = ulong.MaxValue;                  // the pipe has no offset
            read->Address = (ulong)(offset + planned);      // splice_off_in: where in the file
            read->SpliceFdIn = _fileFd;
            read->Length = (uint)length;
            read->Flags |= IoUring.SqeIoLink;
            connection.Outstanding++;
            last = SpliceToSocket(ref connection, data, length);
            planned += length;
        }
    }

    private IoUring.Sqe* SpliceToSocket(ref Connection connection, ulong data, int length)
    {
        IoUring.Sqe* write = _ring.Next(IoUring.OpSplice, connection.Socket, data | ToSocket);
        write->Offset = ulong.MaxValue;                     // a socket has no offset
        write->Address = ulong.MaxValue;                    // nor has the pipe it reads
        write->SpliceFdIn = connection.PipeRead;
        write->Length = (uint)length;
        connection.Outstanding++;
        return write;
    }

    private struct Connection
    {
        public int Socket;
        public long[] Offsets;
        public int Range;          // index of the range being sent
        public long Sent;          // bytes of it the socket took
        public long FileRead;      // SPLICE: bytes of it moved into the pipe
        public int InPipe;         // SPLICE: bytes in the pipe, not yet in the socket
        public int Outstanding;    // operations in flight
        public int PipeRead;
        public int PipeWrite;
    }
}
