using System.ComponentModel;
using System.Runtime.InteropServices;

namespace IoUringSend;

/// <summary>
/// One io_uring instance made with the raw system calls (<c>io_uring_setup</c> 425, <c>io_uring_enter</c> 426), its
/// submission and completion rings mapped into this process: no liburing. One thread uses it
/// (<c>IORING_SETUP_SINGLE_ISSUER</c>).
/// </summary>
/// <remarks>
/// The rings are memory the kernel reads and writes concurrently. The submission side writes the entries, then publishes
/// them with a release store of the SQ tail; the completion side reads the CQ tail with an acquire load before reading
/// the entries, and frees them with a release store of the CQ head (the orderings liburing's
/// <c>io_uring_smp_store_release</c> and <c>io_uring_smp_load_acquire</c> give). <see cref="Volatile"/> gives both.
/// </remarks>
internal sealed unsafe class IoUring : IDisposable
{
    public const byte OpSend = 26;
    public const byte OpSplice = 30;
    public const byte OpSendZeroCopy = 47;

    public const byte SqeIoLink = 1 << 2;
    public const ushort SendZeroCopyReportUsage = 1 << 3;   // IORING_SEND_ZC_REPORT_USAGE, in the SQE's ioprio
    public const uint CqeFlagMore = 1 << 1;                 // IORING_CQE_F_MORE: another CQE (the notification) follows
    public const uint CqeFlagNotification = 1 << 3;         // IORING_CQE_F_NOTIF
    public const int NotificationCopied = 1 << 31;          // IORING_NOTIF_USAGE_ZC_COPIED, in a notification's res

    private const long SysSetup = 425;
    private const long SysEnter = 426;
    private const uint SetupSingleIssuer = 1 << 12;
    private const uint SetupDeferTaskrun = 1 << 13;
    private const uint FeatSingleMmap = 1;
    private const uint EnterGetEvents = 1;
    private const long OffSqRing = 0;
    private const long OffSqes = 0x10000000;
    private const int SqeSize = 64;
    private const int CqeSize = 16;

    private readonly int _fd;
    private readonly byte* _ring;        // SQ and CQ rings, one mapping (IORING_FEAT_SINGLE_MMAP)
    private readonly nuint _ringSize;
    private readonly byte* _sqes;        // the submission queue entries
    private readonly nuint _sqesSize;
    private readonly uint* _sqHead;
    private readonly uint* _sqTail;
    private readonly uint* _sqArray;
    private readonly uint _sqMask;
    private readonly uint* _cqHead;
    private readonly uint* _cqTail;
    private readonly byte* _cqes;
    private readonly uint _cqMask;
    private uint _sqLocalTail;           // entries written but not yet published
    private uint _toSubmit;              // entries published and not yet passed to io_uring_enter

    /// <summary>Sets up a ring of <paramref name="entries"/> submission entries (a power of two).</summary>
    /// <exception cref="Win32Exception">The kernel refused (io_uring disabled, too old, out of memory).</exception>
    public IoUring(uint entries)
    {
        byte* parameters = stackalloc byte[120];
        new Span<byte>(parameters, 120).Clear();
        *(uint*)(parameters + 8) = SetupSingleIssuer | SetupDeferTaskrun;
        _fd = (int)Native.Syscall(SysSetup, entries, (nint)parameters, 0, 0, 0, 0);
        if (_fd < 0)
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError(), "io_uring_setup");
        }

        uint sqEntries = *(uint*)parameters;
        uint cqEntries = *(uint*)(parameters + 4);
        Features = *(uint*)(parameters + 20);
        if ((Features & FeatSingleMmap) == 0)
        {
            throw new NotSupportedException("io_uring without IORING_FEAT_SINGLE_MMAP (a kernel before 5.4)");
        }

        byte* sqOff = parameters + 40;   // struct io_sqring_offsets
        byte* cqOff = parameters + 80;   // struct io_cqring_offsets
        nuint sqSize = *(uint*)(sqOff + 24) + sqEntries * sizeof(uint);
        nuint cqSize = *(uint*)(cqOff + 20) + cqEntries * CqeSize;
        _ringSize = Math.Max(sqSize, cqSize);
        _ring = Map(_fd, _ringSize, OffSqRing);
        _sqesSize = sqEntries * SqeSize;
        _sqes = Map(_fd, _sqesSize, OffSqes);

        _sqHead = (uint*)(_ring + *(uint*)sqOff);
        _sqTail = (uint*)(_ring + *(uint*)(sqOff + 4));
        _sqMask = *(uint*)(_ring + *(uint*)(sqOff + 8));
        _sqArray = (uint*)(_ring + *(uint*)(sqOff + 24));
        _cqHead = (uint*)(_ring + *(uint*)cqOff);
        _cqTail = (uint*)(_ring + *(uint*)(cqOff + 4));
        _cqMask = *(uint*)(_ring + *(uint*)(cqOff + 8));
        _cqes = _ring + *(uint*)(cqOff + 20);
        _sqLocalTail = *_sqTail;
        SubmissionEntries = sqEntries;
    }

    /// <summary>The <c>features</c> word the kernel returned.</summary>
    public uint Features { get; }

    /// <summary>The number of submission entries.</summary>
    public uint SubmissionEntries { get; }

    /// <summary>The <c>io_uring_enter</c> calls made: the only system calls of the send loop.</summary>
    public long EnterCalls { get; private set; }

    /// <summary>Free submission slots.</summary>
    public uint FreeSlots => SubmissionEntries - (_sqLocalTail - Volatile.Read(ref *_sqHead));

    /// <summary>Writes one entry; it is published by the next <see cref="Submit"/>. O(1), no system call.</summary>
    /// <returns>The entry, zeroed but for the fields given.</returns>
    public Sqe* Next(byte opcode, int fd, ulong userData)
    {
        if (FreeSlots == 0)
        {
            throw new InvalidOperationException("the submission ring is full");
        }

        uint index = _sqLocalTail & _sqMask;
        var sqe = (Sqe*)(_sqes + (index * SqeSize));
        *sqe = default;
        sqe->Opcode = opcode;
        sqe->Fd = fd;
        sqe->UserData = userData;
        _sqArray[index] = index;
        _sqLocalTail++;
        return sqe;
    }

    /// <summary>
    /// Publishes the entries written (a release store of the SQ tail) and calls <c>io_uring_enter</c> once: submits them
    /// and, with <paramref name="waitFor"/> above 0, sleeps until that many completions are posted.
    /// </summary>
    public void Submit(uint waitFor)
    {
        uint tail = Volatile.Read(ref *_sqTail);
        _toSubmit += _sqLocalTail - tail;
        Volatile.Write(ref *_sqTail, _sqLocalTail);
        while (true)
        {
            EnterCalls++;
            long done = Native.Syscall(SysEnter, _fd, _toSubmit, waitFor, waitFor > 0 || _toSubmit == 0 ? EnterGetEvents : 0, 0, 0);
            if (done >= 0)
            {
                _toSubmit -= (uint)done;
                return;
            }

            int errno = Marshal.GetLastPInvokeError();
            if (errno != 4 /* EINTR */)
            {
                throw new Win32Exception(errno, "io_uring_enter");
            }
        }
    }

    /// <summary>Takes the next posted completion, if any: an acquire load of the CQ tail, then a release store of the head.</summary>
    public bool TryTake(out Cqe cqe)
    {
        uint head = *_cqHead;                         // only this thread writes the head
        uint tail = Volatile.Read(ref *_cqTail);      // acquire: the entry's bytes are visible after this load
        if (head == tail)
        {
            cqe = default;
            return false;
        }

        cqe = *(Cqe*)(_cqes + ((head & _cqMask) * CqeSize));
        Volatile.Write(ref *_cqHead, head + 1);       // release: the kernel may reuse the slot after this store
        return true;
    }

    public void Dispose()
    {
        _ = Native.Munmap((nint)_sqes, _sqesSize);
        _ = Native.Munmap((nint)_ring, _ringSize);
        _ = Native.Close(_fd);
    }

    private static byte* Map(int fd, nuint size, long offset)
    {
        nint address = Native.Mmap(0, size, Native.ProtRead | Native.ProtWrite, Native.MapShared | Native.MapPopulate, fd, offset);
        if (address == -1)
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError(), "mmap of an io_uring ring");
        }

        return (byte*)address;
    }

    /// <summary><c>struct io_uring_sqe</c>, 64 bytes, the fields this experiment uses.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 64)]
    public struct Sqe
    {
        [FieldOffset(0)] public byte Opcode;
        [FieldOffset(1)] public byte Flags;
        [FieldOffset(2)] public ushort IoPriority;         // SEND_ZC: its flags
        [FieldOffset(4)] public int Fd;                    // SPLICE: the output descriptor
        [FieldOffset(8)] public ulong Offset;              // SPLICE: the output offset (ulong.MaxValue: none, a pipe)
        [FieldOffset(16)] public ulong Address;            // SEND: the buffer; SPLICE: the input offset
        [FieldOffset(24)] public uint Length;
        [FieldOffset(28)] public uint OpFlags;             // SEND: msg_flags; SPLICE: splice_flags
        [FieldOffset(32)] public ulong UserData;
        [FieldOffset(44)] public int SpliceFdIn;
    }

    /// <summary><c>struct io_uring_cqe</c>, 16 bytes.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Cqe
    {
        public ulong UserData;
        public int Result;
        public uint Flags;
    }
}
