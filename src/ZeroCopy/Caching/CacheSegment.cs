using System.Buffers;

namespace ZeroCopy;

/// <summary>
/// One link of the chain that lets a <see cref="ReadOnlySequence{T}"/> span segments: created once per segment,
/// so that building a sequence over any range is O(1) and allocates nothing.
/// </summary>
internal sealed class CacheSegment : ReadOnlySequenceSegment<byte>
{
    public CacheSegment(ReadOnlyMemory<byte> memory, long runningIndex)
    {
        Memory = memory;
        RunningIndex = runningIndex;
    }

    /// <summary>Links <paramref name="next"/> after this segment.</summary>
    public void Link(CacheSegment next) => Next = next;
}
