using System.Buffers;

namespace ZeroCopy.Segments;

/// <summary>
/// One link of a <see cref="SegmentChain"/>: a segment's memory and its running index, linked to the next segment, so
/// that a <see cref="ReadOnlySequence{T}"/> over any range is built in O(1) from two links.
/// </summary>
internal sealed class SegmentLink : ReadOnlySequenceSegment<byte>
{
    public SegmentLink(Memory<byte> memory, long runningIndex)
    {
        Memory = memory;
        Writable = memory;
        RunningIndex = runningIndex;
    }

    /// <summary>The same memory as <see cref="ReadOnlySequenceSegment{T}.Memory"/>, writable: for the caches' write paths.</summary>
    public Memory<byte> Writable { get; }

    /// <summary>Links <paramref name="next"/> after this link.</summary>
    public void Link(SegmentLink next) => Next = next;
}
