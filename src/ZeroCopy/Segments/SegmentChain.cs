using System.Buffers;
using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using ZeroCopy.Internal;

namespace ZeroCopy.Segments;

/// <summary>
/// The addressing of a segmented cache, in one place: the segment size rules, the store, and the links that make any range
/// of up to one capacity one O(1), allocation-free <see cref="ReadOnlySequence{T}"/>. Both caches hold one:
/// <see cref="VideoCache"/> a single lap, <see cref="LiveCache"/> two laps so that a window may wrap.
/// </summary>
/// <remarks>
/// <code>
/// one lap:   L0 -> L1 -> L2 -> L3                      RunningIndex 0, S, 2S, 3S
/// two laps:  L0 -> L1 -> L2 -> L3 -> L0' -> L1' ...    RunningIndex continues at C (L_i' has L_i's memory)
///
/// Slice(o, n) = ReadOnlySequence(links[o >> log2 S], o &amp; (S-1), links[last(o + n - 1)], o + n - last.RunningIndex)
/// </code>
/// Offsets are <see langword="long"/>: a chain may exceed 2 GiB, only a segment is limited to <see cref="int"/>.
/// </remarks>
[DebuggerDisplay("Capacity = {Capacity}, Segments = {SegmentCount} x {SegmentSize}")]
internal sealed class SegmentChain : IDisposable
{
    /// <summary>The smallest segment size: 4 KiB.</summary>
    public const int MinSegmentSize = 4 * 1024;

    /// <summary>The largest segment size: 1 GiB, so that offsets within a segment are <see cref="int"/>s.</summary>
    public const int MaxSegmentSize = 1024 * 1024 * 1024;

    private readonly SegmentStore _store;
    private readonly long _capacity;
    private readonly int _segmentCount;
    private readonly int _laps;
    private readonly int _segmentShift;
    private readonly long _segmentMask;

    // One lap's links, then (for a ring) the second lap's, over the same memory. Emptied by Dispose, so that a cache still
    // referenced after Dispose does not keep its memory alive (sequences handed out before keep their own links alive).
    private SegmentLink[] _links;

    private SegmentChain(SegmentStore store, long capacity, int segmentSize, int laps)
    {
        Debug.Assert(BitOperations.IsPow2(segmentSize) && segmentSize is >= MinSegmentSize and <= MaxSegmentSize, $"segment size {segmentSize}: the caller checks ThrowIfInvalid first");
        _store = store;
        _capacity = capacity;
        _laps = laps;
        _segmentShift = BitOperations.Log2((uint)segmentSize);
        _segmentMask = segmentSize - 1;
        _segmentCount = store.SegmentCount;

        // RunningIndex counts on from lap to lap, and the last link of a lap leads to the first of the next, so a range
        // that passes the end of the ring continues at its start as one sequence.
        _links = new SegmentLink[_segmentCount * laps];
        for (int i = 0; i < _links.Length; i++)
        {
            int segment = i % _segmentCount;
            long lapStart = (long)(i / _segmentCount) * capacity;
            _links[i] = new SegmentLink(store.GetSegment(segment), lapStart + ((long)segment << _segmentShift));
            if (i > 0)
            {
                _links[i - 1].Link(_links[i]);
            }
        }
    }

    /// <summary>The number of bytes in one lap.</summary>
    public long Capacity => _capacity;

    /// <summary>The size of each segment (the last one may be shorter).</summary>
    public int SegmentSize => 1 << _segmentShift;

    /// <summary>The number of segments in one lap.</summary>
    public int SegmentCount => _segmentCount;

    /// <summary>The memory behind the links: its lifetime, its file (for <c>sendfile(2)</c>), whether it is writable.</summary>
    public SegmentStore Store => _store;

    /// <summary>Allocates a chain for a cache addressed from 0 to <paramref name="capacity"/>: ranges never wrap.</summary>
    public static SegmentChain SingleLap(long capacity, int segmentSize, CacheMemory memory) =>
        new(SegmentStore.Create(memory, capacity, segmentSize), capacity, segmentSize, laps: 1);

    /// <summary>Allocates a chain for a ring: a range of up to <paramref name="capacity"/> bytes may wrap past the end.</summary>
    public static SegmentChain Ring(long capacity, int segmentSize, CacheMemory memory) =>
        new(SegmentStore.Create(memory, capacity, segmentSize), capacity, segmentSize, laps: 2);

    /// <summary>
    /// Maps the file at <paramref name="path"/> read-only as a single lap: its length is the capacity. The caller has
    /// checked the size rules against the file's length.
    /// </summary>
    public static SegmentChain OverFile(string path, int segmentSize, bool lockInMemory)
    {
        if (new FileInfo(path).Length == 0)
        {
            return new SegmentChain(SegmentStore.Empty(CacheMemory.MappedFile), 0, segmentSize, laps: 1); // nothing to map
        }

        MappedSegmentStore store = MappedSegmentStore.OpenFile(path, segmentSize, lockInMemory);
        try
        {
            ThrowIfInvalid(store.Length, segmentSize, laps: 1, "path", nameof(segmentSize));
            return new SegmentChain(store, store.Length, segmentSize, laps: 1);
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Checks the size rules: a segment size that is a power of two between <see cref="MinSegmentSize"/> and
    /// <see cref="MaxSegmentSize"/>, and no more segments than an array holds. The caller checks its own capacity rules
    /// first, and calls this before allocating anything.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A rule is broken; the message names the parameter and its value.</exception>
    public static void ThrowIfInvalid(long capacity, int segmentSize, int laps, string capacityName, string segmentSizeName)
    {
        Debug.Assert(capacity >= 0 && laps is 1 or 2, $"capacity {capacity}, laps {laps}");
        if (segmentSize < MinSegmentSize || segmentSize > MaxSegmentSize || !BitOperations.IsPow2(segmentSize))
        {
            ThrowHelper.ArgumentOutOfRange(segmentSizeName, segmentSize, $"must be a power of two between {MinSegmentSize} and {MaxSegmentSize}");
        }

        if ((capacity / segmentSize + (capacity % segmentSize == 0 ? 0 : 1)) * laps > Array.MaxLength)
        {
            ThrowHelper.ArgumentOutOfRange(capacityName, capacity, $"needs more than {Array.MaxLength / laps} segments of {segmentSize} bytes; use larger segments");
        }
    }

    /// <summary>
    /// The bytes <c>[start, start + length)</c> as one sequence over the segments. O(1), no copy, no allocation.
    /// The caller has validated the range: <paramref name="start"/> below <see cref="Capacity"/> (or equal, when empty),
    /// and the range inside one lap, or for a ring at most <see cref="Capacity"/> long.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The chain was disposed (a reader racing its cache's disposal).</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ReadOnlySequence<byte> Slice(long start, long length)
    {
        Debug.Assert(start >= 0 && length >= 0 && start <= _capacity && start + length <= _capacity * _laps, $"start {start}, length {length}, capacity {_capacity}, laps {_laps}");
        if (length == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        SegmentLink[] links = _links;
        if (links.Length == 0)
        {
            ThrowHelper.SegmentsReleased();
        }

        long end = start + length;
        SegmentLink first = links[(int)(start >> _segmentShift)];
        SegmentLink last = links[LinkIndex(end - 1)];
        return new ReadOnlySequence<byte>(first, (int)(start & _segmentMask), last, (int)(end - last.RunningIndex));
    }

    /// <summary>
    /// The writable memory from <paramref name="offset"/> (below <see cref="Capacity"/>) to the end of its segment.
    /// O(1), no allocation.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The chain was disposed.</exception>
    public Memory<byte> MemoryFrom(long offset)
    {
        Debug.Assert((ulong)offset < (ulong)_capacity, $"offset {offset} outside capacity {_capacity}");
        SegmentLink[] links = _links;
        if (links.Length == 0)
        {
            ThrowHelper.SegmentsReleased();
        }

        return links[(int)(offset >> _segmentShift)].Writable[(int)(offset & _segmentMask)..];
    }

    /// <summary>Releases the store and drops the links. Safe to call more than once.</summary>
    public void Dispose()
    {
        _links = [];
        _store.Dispose();
    }

    /// <summary>The link that holds chain offset <paramref name="offset"/>, lap B included.</summary>
    private int LinkIndex(long offset) =>
        offset < _capacity ? (int)(offset >> _segmentShift) : _segmentCount + (int)((offset - _capacity) >> _segmentShift);
}
