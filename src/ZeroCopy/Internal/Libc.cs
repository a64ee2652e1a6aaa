using System.Runtime.InteropServices;

namespace ZeroCopy.Internal;

/// <summary>
/// The few Linux system calls the framework has no managed API for: anonymous shared memory with a descriptor, punching
/// holes in it, and locking a mapping in memory (here; every caller checks <see cref="OperatingSystem.IsLinux"/> first);
/// and the socket loop's epoll, send, sendfile and receive calls (<c>Libc.Sockets.cs</c>).
/// </summary>
internal static unsafe partial class Libc
{
    public const uint MemfdCloexec = 0x0001;
    public const int FallocPunchHole = 0x02;
    public const int FallocKeepSize = 0x01;
    public const int MadviseWillNeed = 3;

    [LibraryImport("libc", EntryPoint = "memfd_create", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int MemfdCreate(string name, uint flags);

    [LibraryImport("libc", EntryPoint = "ftruncate", SetLastError = true)]
    public static partial int Ftruncate(int fd, long length);

    [LibraryImport("libc", EntryPoint = "fallocate", SetLastError = true)]
    public static partial int Fallocate(int fd, int mode, long offset, long length);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "mlock", SetLastError = true)]
    public static partial int Mlock(nint address, nuint length);

    [LibraryImport("libc", EntryPoint = "munlock", SetLastError = true)]
    public static partial int Munlock(nint address, nuint length);

    [LibraryImport("libc", EntryPoint = "madvise", SetLastError = true)]
    public static partial int Madvise(nint address, nuint length, int advice);
}
