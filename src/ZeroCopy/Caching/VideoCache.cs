using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using ZeroCopy.Diagnostics;
using ZeroCopy.Internal;
using ZeroCopy.Segments;

namespace ZeroCopy;

/// <summary>
/// A fixed-capacity, 64-bit addressable byte cache (for example, of video files) that hands out views of its
/// memory instead of copies: read slices, writable views, receive-into and send-from.
/// </summary>
/// <remarks>
/// <para>
/// <b>Layout.</b> The cache allocates its whole capacity once, in equally sized segments (a power of two, at most
/// 1 GiB each), in the store <see cref="Memory"/> names: arrays on the pinned object heap
/// (<see cref="CacheMemory.PinnedArrays"/>), shared memory (<see cref="CacheMemory.SharedMemory"/>, a memfd on Linux), or
/// a file mapped read-only (<see cref="OpenFile"/>). It chains them so that any range at any 64-bit offset is an O(1),
/// allocation-free <see cref="ReadOnlySequence{T}"/>. A range inside one segment is also available as a plain
/// <see cref="ReadOnlyMemory{T}"/> (<see cref="TryReadMemory"/>), the fast path most callers take.
/// </para>
/// <para>
/// <b>Ownership.</b> The cache owns its memory. Every slice and view it returns is a window onto that memory, not a
/// copy: it stays valid until the cache is disposed, and it sees every later write to the same range. Using a
/// slice after <see cref="Dispose"/> is a bug: pinned arrays stay readable while a view references them, but shared
/// memory and a mapped file are unmapped once no send or receive of the library still uses them, and a released view
/// then throws <see cref="ObjectDisposedException"/> when asked for its span.
/// </para>
/// <para>
/// <b>Threading.</b> Any number of threads may read slices and send ranges concurrently. Writers (writable views,
/// <see cref="Write"/>, receive-into) may run concurrently with each other on disjoint ranges. A reader of a range
/// that is being written may observe any mix of old and new bytes; the cache does not order them. When readers must
/// never see a byte in flux, use <c>ZeroCopy.Live.LiveCache</c>, which publishes data only after it is written.
/// <see cref="Dispose"/> must not run concurrently with any other member.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// using var cache = await VideoCache.LoadFileAsync("movie.ts");
/// ReadOnlySequence&lt;byte&gt; chunk = cache.ReadSlice(byteOffset, 20 * 1024 * 1024); // O(1), no copy
/// await socket.SendAsync(chunk);                                                  // sent from the cache's memory
/// </code>
/// </example>
[DebuggerDisplay("{ToString(),nq}")]
public sealed partial class VideoCache : IDisposable
{
    /// <summary>
    /// The name of the <see cref="System.Diagnostics.Metrics.Meter"/> the caches' instruments belong to: <c>ZeroCopy</c>
    /// (docs/design.md, "Metrics", lists them). Same as <see cref="LiveCache.MeterName"/>.
    /// </summary>
    public const string MeterName = ZeroCopyMeter.Name;

    /// <summary>The default segment size: 64 MiB, large enough that a 20 MB slice usually lies inside one segment.</summary>
    public const int DefaultSegmentSize = 64 * 1024 * 1024;

    /// <summary>The smallest segment size accepted: 4 KiB.</summary>
    public const int MinSegmentSize = SegmentChain.MinSegmentSize;

    /// <summary>The largest segment size accepted: 1 GiB.</summary>
    public const int MaxSegmentSize = SegmentChain.MaxSegmentSize;

    private readonly SegmentChain _chain; // the segments and all addressing over them
    private readonly long _capacity;      // _chain.Capacity, kept here for the range checks on every call
    private bool _disposed;

    /// <summary>Allocates a cache of <paramref name="capacity"/> bytes in segments of <paramref name="segmentSize"/> bytes, in pinned arrays.</summary>
    /// <param name="capacity">The number of bytes the cache holds; may exceed 2 GiB. The contents start unspecified.</param>
    /// <param name="segmentSize">The size of each segment: a power of two between <see cref="MinSegmentSize"/> and <see cref="MaxSegmentSize"/>.</param>
    /// <remarks>Kept for binary compatibility with 0.1; the overload with the <see cref="CacheMemory"/> parameter covers it.</remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is negative, or <paramref name="segmentSize"/> is not a power of two in range.</exception>
    /// <exception cref="OutOfMemoryException">The memory cannot be allocated.</exception>
    public VideoCache(long capacity, int segmentSize)
        : this(capacity, segmentSize, CacheMemory.PinnedArrays)
    {
    }

    /// <summary>
    /// Allocates a cache of <paramref name="capacity"/> bytes in segments of <paramref name="segmentSize"/> bytes, in the
    /// memory <paramref name="memory"/> names.
    /// </summary>
    /// <param name="capacity">The number of bytes the cache holds; may exceed 2 GiB. The contents start unspecified.</param>
    /// <param name="segmentSize">The size of each segment: a power of two between <see cref="MinSegmentSize"/> and <see cref="MaxSegmentSize"/>.</param>
    /// <param name="memory">
    /// <see cref="CacheMemory.PinnedArrays"/> (the default), or <see cref="CacheMemory.SharedMemory"/> so that
    /// <see cref="SendToAsync(System.Net.Sockets.Socket, long, long, CancellationToken)"/> hands long ranges to the kernel
    /// with <c>sendfile(2)</c> (more than 64 KiB on the socket loop, more than
    /// <see cref="SocketExtensions.DefaultMaxSendSize"/> through the framework).
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="capacity"/> is negative, <paramref name="segmentSize"/> is not a power of two in range, or
    /// <paramref name="memory"/> is not <see cref="CacheMemory.PinnedArrays"/> or <see cref="CacheMemory.SharedMemory"/>.
    /// </exception>
    /// <exception cref="OutOfMemoryException">The memory cannot be allocated.</exception>
    /// <exception cref="IOException">The shared memory cannot be created.</exception>
    public VideoCache(long capacity, int segmentSize = DefaultSegmentSize, CacheMemory memory = CacheMemory.PinnedArrays)
    {
        if (capacity < 0)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(capacity), capacity, "must not be negative");
        }

        SegmentStore.ThrowIfNotAllocatable(memory, nameof(memory));

        SegmentChain.ThrowIfInvalid(capacity, segmentSize, laps: 1, nameof(capacity), nameof(segmentSize));
        _chain = SegmentChain.SingleLap(capacity, segmentSize, memory);
        _capacity = capacity;
    }

    private VideoCache(SegmentChain chain)
    {
        _chain = chain;
        _capacity = chain.Capacity;
    }

    /// <summary>The number of bytes the cache holds.</summary>
    public long Capacity => _capacity;

    /// <summary>The size of each segment in bytes (the last one may be shorter).</summary>
    public int SegmentSize => _chain.SegmentSize;

    /// <summary>The number of segments.</summary>
    public int SegmentCount => _chain.SegmentCount;

    /// <summary>Where the cache keeps its bytes: pinned arrays, shared memory, or a file mapped read-only (<see cref="OpenFile"/>).</summary>
    public CacheMemory Memory => _chain.Store.Kind;

    /// <summary>
    /// Whether the cache is read-only: a file mapped with <see cref="OpenFile"/>. Its write members (<see cref="Write"/>,
    /// the writable views, <see cref="ReceiveIntoAsync"/>, <see cref="ReadIntoAsync"/>) throw <see cref="NotSupportedException"/>.
    /// </summary>
    public bool IsReadOnly => _chain.Store.IsReadOnly;

    /// <summary>Whether <see cref="Dispose"/> has been called.</summary>
    public bool IsDisposed => _disposed;

    /// <summary>Returns a read-only view of <c>[offset, offset + length)</c>. O(1), no copy, no allocation.</summary>
    /// <param name="offset">The first byte of the range.</param>
    /// <param name="length">The number of bytes in the range; may be zero.</param>
    /// <returns>A sequence over the cache's own memory: one segment when the range lies inside one, a chain otherwise.</returns>
    /// <remarks>The view is valid until the cache is disposed and reflects later writes to the range.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">The range is negative or does not fit in <see cref="Capacity"/>.</exception>
    /// <exception cref="ObjectDisposedException">The cache has been disposed.</exception>
    public ReadOnlySequence<byte> ReadSlice(long offset, long length)
    {
        ThrowIfInvalid(offset, length);
        return _chain.Slice(offset, length);
    }

    /// <summary>
    /// Gets a read-only view of <c>[offset, offset + length)</c> as one contiguous block, when the range lies inside
    /// one segment. O(1), no copy, no allocation.
    /// </summary>
    /// <param name="offset">The first byte of the range.</param>
    /// <param name="length">The number of bytes in the range.</param>
    /// <param name="memory">The view when the method returns <see langword="true"/>; otherwise empty.</param>
    /// <returns><see langword="false"/> when the range crosses a segment boundary (use <see cref="ReadSlice"/> then).</returns>
    /// <remarks>Like the framework's <c>Try*</c> methods, it reports the expected miss (a crossing range) as <see langword="false"/> and still throws for invalid arguments.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">The range is negative or does not fit in <see cref="Capacity"/>.</exception>
    /// <exception cref="ObjectDisposedException">The cache has been disposed.</exception>
    public bool TryReadMemory(long offset, int length, out ReadOnlyMemory<byte> memory)
    {
        ThrowIfInvalid(offset, length);
        bool found = TryGetSegmentMemory(offset, length, out Memory<byte> view);
        memory = view;
        return found;
    }

    /// <summary>
    /// Gets a writable view of <c>[offset, offset + length)</c>, when the range lies inside one segment.
    /// O(1), no copy, no allocation. What is written through it is what every read slice of the range sees.
    /// </summary>
    /// <param name="offset">The first byte of the range.</param>
    /// <param name="length">The number of bytes in the range.</param>
    /// <param name="memory">The view when the method returns <see langword="true"/>; otherwise empty.</param>
    /// <returns><see langword="false"/> when the range crosses a segment boundary (use <see cref="GetWritableRanges"/> then).</returns>
    /// <exception cref="ArgumentOutOfRangeException">The range is negative or does not fit in <see cref="Capacity"/>.</exception>
    /// <exception cref="NotSupportedException">The cache is read-only (<see cref="IsReadOnly"/>: a file mapped with <see cref="OpenFile"/>).</exception>
    /// <exception cref="ObjectDisposedException">The cache has been disposed.</exception>
    public bool TryGetMemory(long offset, int length, out Memory<byte> memory)
    {
        ThrowIfInvalid(offset, length);
        ThrowIfReadOnly();
        return TryGetSegmentMemory(offset, length, out memory);
    }

    private bool TryGetSegmentMemory(long offset, int length, out Memory<byte> memory)
    {
        if (length == 0)
        {
            memory = default;
            return true;
        }

        Memory<byte> rest = _chain.MemoryFrom(offset);
        if (length > rest.Length)
        {
            memory = default;
            return false;
        }

        memory = rest[..length];
        return true;
    }

    /// <summary>
    /// Gets a writable view of <c>[offset, offset + length)</c>, which must lie inside one segment.
    /// O(1), no copy, no allocation.
    /// </summary>
    /// <param name="offset">The first byte of the range.</param>
    /// <param name="length">The number of bytes in the range.</param>
    /// <returns>A view over the cache's own memory, valid until the cache is disposed.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The range is negative or does not fit in <see cref="Capacity"/>.</exception>
    /// <exception cref="ArgumentException">The range crosses a segment boundary.</exception>
    /// <exception cref="NotSupportedException">The cache is read-only (<see cref="IsReadOnly"/>: a file mapped with <see cref="OpenFile"/>).</exception>
    /// <exception cref="ObjectDisposedException">The cache has been disposed.</exception>
    public Memory<byte> GetMemory(long offset, int length)
    {
        if (!TryGetMemory(offset, length, out Memory<byte> memory))
        {
            ThrowHelper.RangeCrossesSegment(offset, length, SegmentSize);
        }

        return memory;
    }

    /// <summary>
    /// Returns the writable views that together make up <c>[offset, offset + length)</c>, one per segment touched,
    /// in order. O(1) to create; enumerating allocates nothing.
    /// </summary>
    /// <param name="offset">The first byte of the range.</param>
    /// <param name="length">The number of bytes in the range; may be zero.</param>
    /// <returns>An allocation-free enumerable of <see cref="Memory{T}"/> pieces.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The range is negative or does not fit in <see cref="Capacity"/>.</exception>
    /// <exception cref="NotSupportedException">The cache is read-only (<see cref="IsReadOnly"/>: a file mapped with <see cref="OpenFile"/>).</exception>
    /// <exception cref="ObjectDisposedException">The cache has been disposed.</exception>
    public WritableRanges GetWritableRanges(long offset, long length)
    {
        ThrowIfInvalid(offset, length);
        ThrowIfReadOnly();
        return new WritableRanges(this, offset, length);
    }

    /// <summary>Copies <paramref name="source"/> into the cache at <paramref name="offset"/>, across segments if needed.</summary>
    /// <param name="offset">Where the first byte goes.</param>
    /// <param name="source">The bytes to write (this is the one copy: the caller's data into the cache).</param>
    /// <exception cref="ArgumentOutOfRangeException">The range is negative or does not fit in <see cref="Capacity"/>.</exception>
    /// <exception cref="NotSupportedException">The cache is read-only (<see cref="IsReadOnly"/>: a file mapped with <see cref="OpenFile"/>).</exception>
    /// <exception cref="ObjectDisposedException">The cache has been disposed.</exception>
    public void Write(long offset, ReadOnlySpan<byte> source)
    {
        foreach (Memory<byte> piece in GetWritableRanges(offset, source.Length))
        {
            source[..piece.Length].CopyTo(piece.Span);
            source = source[piece.Length..];
        }
    }

    /// <summary>
    /// Drops the cache's segments. Slices and views handed out before must not be used afterwards. Shared memory and a
    /// mapped file are unmapped when the last send or receive in flight ends. Safe to call more than once.
    /// </summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _chain.Dispose();
    }

    /// <summary>Describes the cache (capacity and segments); never throws.</summary>
    /// <returns>A short description.</returns>
    public override string ToString() =>
        _disposed
            ? "VideoCache (disposed)"
            : $"VideoCache Capacity = {_capacity}, Segments = {SegmentCount} x {SegmentSize}, {Memory}";

    /// <summary>The segment memory that holds <paramref name="offset"/>, from that offset to the segment's end.</summary>
    internal Memory<byte> SegmentFrom(long offset)
    {
        Debug.Assert((ulong)offset < (ulong)_capacity, $"offset {offset} outside capacity {_capacity}");
        if (_disposed)
        {
            ThrowHelper.ObjectDisposed(this); // a WritableRanges taken before Dispose, enumerated after
        }

        return _chain.MemoryFrom(offset);
    }

    private void ThrowIfReadOnly()
    {
        if (IsReadOnly)
        {
            ThrowHelper.CacheReadOnly();
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ThrowIfInvalid(long offset, long length)
    {
        if (_disposed)
        {
            ThrowHelper.ObjectDisposed(this);
        }

        // One unsigned comparison each rejects negatives, past-the-end offsets and overflowing lengths.
        if ((ulong)offset > (ulong)_capacity || (ulong)length > (ulong)(_capacity - offset))
        {
            ThrowHelper.RangeOutOfCache(offset, length, _capacity);
        }
    }
}
