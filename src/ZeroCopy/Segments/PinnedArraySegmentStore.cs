using System.Runtime.InteropServices;

namespace ZeroCopy.Segments;

/// <summary>Segments as arrays on the pinned object heap: allocated once, never moved, never pinned per call.</summary>
internal sealed class PinnedArraySegmentStore : SegmentStore
{
    private Memory<byte>[] _segments;

    /// <param name="capacity">The bytes to allocate.</param>
    /// <param name="segmentSize">The size of each array (the last may be shorter).</param>
    /// <param name="kind">What the store reports: <see cref="CacheMemory.PinnedArrays"/>, or another kind for an empty store (<see cref="SegmentStore.Empty"/>).</param>
    public PinnedArraySegmentStore(long capacity, int segmentSize, CacheMemory kind = CacheMemory.PinnedArrays)
        : base(kind)
    {
        System.Diagnostics.Debug.Assert(kind == CacheMemory.PinnedArrays || capacity == 0, $"a {kind} store of {capacity} bytes in pinned arrays");
        int count = checked((int)((capacity + segmentSize - 1) / segmentSize));
        _segments = new Memory<byte>[count];
        for (int i = 0; i < count; i++)
        {
            int length = (int)Math.Min(segmentSize, capacity - ((long)i * segmentSize));
            byte[] array = GC.AllocateUninitializedArray<byte>(length, pinned: true);

            // CreateFromPinnedArray marks the memory as pre-pinned, so Memory<T>.Pin() (which sockets call on
            // every operation) returns a handle without allocating a GCHandle.
            _segments[i] = MemoryMarshal.CreateFromPinnedArray(array, 0, length);
        }
    }

    public override int SegmentCount => _segments.Length;

    public override Memory<byte> GetSegment(int index) => _segments[index];

    // The arrays become garbage once no view references them: nothing can touch freed memory.
    protected override void ReleaseMemory() => _segments = [];
}
