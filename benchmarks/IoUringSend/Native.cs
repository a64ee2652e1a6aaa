using System.Runtime.InteropServices;

namespace IoUringSend;

/// <summary>The libc calls of the experiment (Linux, x86-64 and arm64).</summary>
internal static unsafe partial class Native
{
    public const int ProtRead = 1;
    public const int ProtWrite = 2;
    public const int MapShared = 0x01;
    public const int MapPopulate = 0x8000;
    public const int MsgWaitAll = 0x100;
    public const int MsgNoSignal = 0x4000;
    public const int FSetPipeSize = 1031;
    public const int OCloexec = 0x80000;

    /// <summary>
    /// <c>syscall(2)</c>, for the io_uring calls glibc has no wrapper for. Declared with six fixed arguments: glibc's
    /// <c>syscall</c> only moves registers, so the variadic convention's register count (AL) does not matter.
    /// </summary>
    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    public static partial long Syscall(long number, long a1, long a2, long a3, long a4, long a5, long a6);

    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    public static partial nint Mmap(nint address, nuint length, int protection, int flags, int fd, long offset);

    [LibraryImport("libc", EntryPoint = "munmap", SetLastError = true)]
    public static partial int Munmap(nint address, nuint length);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "pipe2", SetLastError = true)]
    public static partial int Pipe2(int* fds, int flags);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    public static partial int Fcntl(int fd, int command, int argument);

    /// <summary><c>getrusage(2)</c> into a <c>struct rusage</c> (144 bytes on LP64).</summary>
    [LibraryImport("libc", EntryPoint = "getrusage", SetLastError = true)]
    public static partial int GetResourceUsage(int who, byte* usage);
}
