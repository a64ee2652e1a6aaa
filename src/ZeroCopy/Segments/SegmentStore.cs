namespace ZeroCopy.Segments;

/// <summary>
/// The memory behind a cache: a fixed number of segments of one power-of-two size (the last may be shorter), allocated
/// once, at a fixed address for the store's lifetime (sockets rely on that to skip pinning per call).
/// </summary>
/// <remarks>
/// <para>
/// The seam between where the bytes live and how they are addressed: <see cref="SegmentChain"/> does all addressing and
/// slicing over whatever store it is given, so a store (pinned arrays, or a memory mapping with a file descriptor that
/// sends can hand to <c>sendfile(2)</c>) needs no change above it.
/// </para>
/// <para>
/// <b>Lifetime.</b> The owner holds one use; every operation of the library that touches the memory, and every pin of it
/// (the sockets pin for the length of each operation), holds another. <see cref="Dispose"/> gives the owner's use back,
/// and the memory is released when the last use is: so disposing a cache while a send or receive is in flight never
/// lets the library or the kernel touch released memory.
/// </para>
/// </remarks>
internal abstract partial class SegmentStore : IDisposable
{
    private readonly CacheMemory _kind; // what the store is, as the caches report it (Kind.cs: the one place it is chosen)
    private int _uses = 1; // the owner's, plus one per operation or pin in flight
    private int _disposed;

    /// <param name="kind">What the store is: <see cref="Create"/> and <see cref="Empty"/> say it, each store passes its own.</param>
    private protected SegmentStore(CacheMemory kind) => _kind = kind;

    /// <summary>
    /// Where the store keeps its bytes, as <see cref="VideoCache.Memory"/> and <see cref="LiveCache.Memory"/> report it: the
    /// kind the store was made as, also for an empty store (which allocates and maps nothing whatever its kind).
    /// </summary>
    public CacheMemory Kind => _kind;

    /// <summary>The number of segments.</summary>
    public abstract int SegmentCount { get; }

    /// <summary>Whether the memory must not be written (a file mapped read-only, <see cref="CacheMemory.MappedFile"/>).</summary>
    public bool IsReadOnly => _kind == CacheMemory.MappedFile;

    /// <summary>
    /// A file over the same bytes (store offset = file offset), opened for asynchronous I/O, that sends can hand to
    /// <c>sendfile(2)</c>; <see langword="null"/> when the store has none.
    /// </summary>
    public virtual FileStream? File => null;

    /// <summary>
    /// <see cref="File"/>'s descriptor, taken once when the store was made (asking a <see cref="FileStream"/> for it each
    /// time costs a system call); <see langword="null"/> when the store has no file.
    /// </summary>
    public virtual Microsoft.Win32.SafeHandles.SafeFileHandle? FileHandle => null;

    /// <summary>Whether the memory has been released (the owner disposed and no use is left).</summary>
    public bool IsReleased => Volatile.Read(ref _uses) == 0;

    /// <summary>The whole memory of segment <paramref name="index"/>; the last segment may be shorter than the others.</summary>
    public abstract Memory<byte> GetSegment(int index);

    /// <summary>Takes a use of the memory, unless it was released. O(1), one interlocked operation.</summary>
    /// <returns><see langword="false"/> when the memory is gone.</returns>
    public bool TryAcquire()
    {
        int uses = Volatile.Read(ref _uses);
        while (uses > 0)
        {
            int seen = Interlocked.CompareExchange(ref _uses, uses + 1, uses);
            if (seen == uses)
            {
                return true;
            }

            uses = seen;
        }

        return false;
    }

    /// <summary>Gives a use back; the last one releases the memory.</summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref _uses) == 0)
        {
            ReleaseMemory();
        }
    }

    /// <summary>
    /// Tells the store that the bytes of <c>[offset, offset + length)</c> are about to be overwritten and their old
    /// contents are no longer needed. A store whose pages the kernel may still hold for a <c>sendfile(2)</c> detaches them
    /// here, so that the kernel keeps sending the old bytes while the writer fills fresh pages. No-op by default.
    /// </summary>
    public virtual void Discard(long offset, long length)
    {
    }

    /// <summary>Gives the owner's use back: the memory is released now, or when the last operation in flight ends.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            Release();
        }
    }

    /// <summary>Releases the memory; called once, when the last use is given back.</summary>
    protected abstract void ReleaseMemory();
}
