using ZeroCopy.Internal;

namespace ZeroCopy.Segments;

/// <summary>The one place a <see cref="CacheMemory"/> is chosen, checked and turned into a store.</summary>
internal abstract partial class SegmentStore
{
    /// <summary>
    /// The multiple a ring's capacity must be in <paramref name="kind"/>: eight pages in shared memory, so that each eighth
    /// the writer reclaims (and punches out with <see cref="Discard"/>) is whole pages; 1 in pinned arrays. O(1).
    /// </summary>
    public static long RingCapacityMultiple(CacheMemory kind) => kind == CacheMemory.SharedMemory ? 8L * Environment.SystemPageSize : 1;

    /// <summary>Checks that a cache may allocate <paramref name="kind"/>: pinned arrays or shared memory (a file is mapped, not allocated).</summary>
    /// <exception cref="ArgumentOutOfRangeException">It may not; the message names <paramref name="paramName"/> and the value.</exception>
    public static void ThrowIfNotAllocatable(CacheMemory kind, string paramName)
    {
        if (kind is not (CacheMemory.PinnedArrays or CacheMemory.SharedMemory))
        {
            ThrowHelper.ArgumentOutOfRange(paramName, kind, $"must be {nameof(CacheMemory.PinnedArrays)} or {nameof(CacheMemory.SharedMemory)} (use VideoCache.OpenFile to map a file)");
        }
    }

    /// <summary>Checks that a ring of <paramref name="capacity"/> bytes fits <paramref name="kind"/>'s rule (<see cref="RingCapacityMultiple"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">It does not; the message names the multiple.</exception>
    public static void ThrowIfNotRingCapacity(CacheMemory kind, long capacity, string paramName)
    {
        long multiple = RingCapacityMultiple(kind);
        if (capacity % multiple != 0)
        {
            ThrowHelper.ArgumentOutOfRange(paramName, capacity, $"must be a multiple of eight pages ({multiple}) with shared memory, so that each eighth the writer reclaims is whole pages");
        }
    }

    /// <summary>
    /// Allocates <paramref name="capacity"/> bytes of <paramref name="kind"/> (checked with <see cref="ThrowIfNotAllocatable"/>
    /// by the caller) in segments of <paramref name="segmentSize"/>; an empty store for 0 bytes.
    /// </summary>
    public static SegmentStore Create(CacheMemory kind, long capacity, int segmentSize) =>
        capacity == 0 ? Empty(kind)
        : kind == CacheMemory.SharedMemory ? MappedSegmentStore.CreateShared(capacity, segmentSize)
        : new PinnedArraySegmentStore(capacity, segmentSize);

    /// <summary>A store of no bytes that reports <paramref name="kind"/>: nothing to allocate or map (an empty cache, an empty file).</summary>
    public static SegmentStore Empty(CacheMemory kind) => new PinnedArraySegmentStore(0, SegmentChain.MinSegmentSize, kind);
}
