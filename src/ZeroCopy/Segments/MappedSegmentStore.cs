using System.ComponentModel;
using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using ZeroCopy.Internal;

namespace ZeroCopy.Segments;

/// <summary>
/// Segments over one memory mapping that has a file descriptor, so that sends can use <c>sendfile(2)</c>: either
/// anonymous shared memory (<c>memfd_create</c> on Linux; elsewhere a temporary file deleted once open), read-write, or
/// an existing file mapped read-only (video on demand with no load step, sharing the page cache).
/// </summary>
internal sealed class MappedSegmentStore : SegmentStore
{
    private readonly FileStream _file;                 // the descriptor sendfile reads; store offset = file offset
    private readonly Microsoft.Win32.SafeHandles.SafeFileHandle _fileHandle; // _file's handle, asked once
    private readonly MemoryMappedFile _mapping;
    private readonly MemoryMappedViewAccessor _view;
    private readonly nint _address;                    // the first byte of the view
    private readonly long _length;
    private readonly bool _locked;                     // mlock'ed: unlock before unmapping
    private readonly bool _canDiscard;                 // Linux shared memory: holes can be punched
    private Memory<byte>[] _segments;

    private MappedSegmentStore(FileStream file, long length, int segmentSize, bool readOnly, bool lockInMemory, bool canDiscard)
        : base(readOnly ? CacheMemory.MappedFile : CacheMemory.SharedMemory)
    {
        _file = file;
        _length = length;
        _canDiscard = canDiscard;
        MemoryMappedFileAccess access = readOnly ? MemoryMappedFileAccess.Read : MemoryMappedFileAccess.ReadWrite;
        _fileHandle = file.SafeFileHandle;
        _mapping = MemoryMappedFile.CreateFromFile(file, mapName: null, length, access, HandleInheritability.None, leaveOpen: true);
        _view = _mapping.CreateViewAccessor(0, length, access);
        _address = MappedMemory.AcquireAddress(_view);
        if (lockInMemory)
        {
            Lock();
            _locked = true;
        }

        int count = checked((int)((length + segmentSize - 1) / segmentSize));
        _segments = new Memory<byte>[count];
        for (int i = 0; i < count; i++)
        {
            long start = (long)i * segmentSize;
            _segments[i] = new MappedMemory(this, _address + (nint)start, (int)Math.Min(segmentSize, length - start)).Memory;
        }
    }

    public override int SegmentCount => _segments.Length;

    public override FileStream File => _file;

    /// <inheritdoc/>
    public override Microsoft.Win32.SafeHandles.SafeFileHandle FileHandle => _fileHandle;

    /// <summary>The number of bytes mapped.</summary>
    public long Length => _length;

    /// <summary>Allocates <paramref name="capacity"/> bytes of shared memory with a descriptor, read-write, zeroed.</summary>
    public static MappedSegmentStore CreateShared(long capacity, int segmentSize)
    {
        FileStream file = OpenSharedMemory(capacity, out bool canDiscard);
        try
        {
            return new MappedSegmentStore(file, capacity, segmentSize, readOnly: false, lockInMemory: false, canDiscard);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Maps the file at <paramref name="path"/> read-only; optionally faults it in and locks it in memory.</summary>
    public static MappedSegmentStore OpenFile(string path, int segmentSize, bool lockInMemory)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.Asynchronous);
        try
        {
            return new MappedSegmentStore(file, file.Length, segmentSize, readOnly: true, lockInMemory, canDiscard: false);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    public override Memory<byte> GetSegment(int index) => _segments[index];

    public override void Discard(long offset, long length)
    {
        // Only whole pages can be detached: a partial page would be zeroed in place, under any send still reading it.
        long page = Environment.SystemPageSize;
        long start = (offset + page - 1) / page * page;
        long end = (offset + length) / page * page;
        if (!_canDiscard || end <= start)
        {
            return;
        }

        int descriptor = (int)_file.SafeFileHandle.DangerousGetHandle();
        if (Libc.Fallocate(descriptor, Libc.FallocPunchHole | Libc.FallocKeepSize, start, end - start) != 0)
        {
            throw new IOException($"Could not release the ring's region [{start}, {end}) for reuse: {new Win32Exception(Marshal.GetLastPInvokeError()).Message}.");
        }
    }

    protected override void ReleaseMemory()
    {
        _segments = [];
        if (_locked && OperatingSystem.IsLinux())
        {
            _ = Libc.Munlock(_address, (nuint)_length);
        }

        MappedMemory.ReleaseAddress(_view);
        _view.Dispose();
        _mapping.Dispose();
        _file.Dispose();
    }

    /// <summary>
    /// Shared memory with a descriptor that sendfile accepts: a memfd reopened through <c>/proc/self/fd</c> (the framework
    /// sends only from a <see cref="FileStream"/> opened for asynchronous I/O, which a raw descriptor cannot give), or a
    /// temporary file deleted as soon as it is open.
    /// </summary>
    private static FileStream OpenSharedMemory(long capacity, out bool canDiscard)
    {
        const FileOptions Options = FileOptions.Asynchronous;
        if (OperatingSystem.IsLinux())
        {
            int memfd = Libc.MemfdCreate("zerocopy-cache", Libc.MemfdCloexec);
            if (memfd >= 0)
            {
                try
                {
                    if (Libc.Ftruncate(memfd, capacity) != 0)
                    {
                        throw new IOException($"Could not size shared memory to {capacity} bytes: {new Win32Exception(Marshal.GetLastPInvokeError()).Message}.");
                    }

                    canDiscard = true;
                    return new FileStream($"/proc/self/fd/{memfd}", FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, bufferSize: 0, Options);
                }
                finally
                {
                    _ = Libc.Close(memfd); // the FileStream holds its own descriptor of the same memory
                }
            }
        }

        string path = Path.Combine(Path.GetTempPath(), $"zerocopy-{Guid.NewGuid():N}.cache");
        FileOptions deleteOnClose = OperatingSystem.IsWindows() ? FileOptions.DeleteOnClose : FileOptions.None;
        var file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0, Options | deleteOnClose);
        try
        {
            if (!OperatingSystem.IsWindows())
            {
                System.IO.File.Delete(path); // gone from the directory at once; the descriptor keeps the bytes
            }

            file.SetLength(capacity);
        }
        catch
        {
            file.Dispose();
            throw;
        }

        canDiscard = false;
        return file;
    }

    private void Lock()
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("Locking a mapped file in memory is supported on Linux only.");
        }

        // Fault the pages in now, then pin them: "cached in memory" stays true under memory pressure.
        _ = Libc.Madvise(_address, (nuint)_length, Libc.MadviseWillNeed);
        if (Libc.Mlock(_address, (nuint)_length) != 0)
        {
            int error = Marshal.GetLastPInvokeError();
            MappedMemory.ReleaseAddress(_view);
            _view.Dispose();
            _mapping.Dispose();
            throw new IOException($"Could not lock the {_length} bytes of the file in memory ({new Win32Exception(error).Message}); raise the memory lock limit (ulimit -l, RLIMIT_MEMLOCK) or open the file without locking.");
        }
    }
}
