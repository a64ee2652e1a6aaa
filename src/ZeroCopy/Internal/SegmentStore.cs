namespace ZeroCopy.Internal;

/// <summary>
/// The backing store behind a cache: a fixed number of equally sized segments, allocated once.
/// </summary>
/// <remarks>
/// This seam exists so that the store can change (pinned managed arrays today; a memory-mapped file later,
/// so that sends can use <c>sendfile(2)</c>) without touching the caches' addressing and I/O logic.
/// Segment memory must stay at a fixed address for the store's lifetime: sockets rely on it to skip pinning per call.
/// </remarks>
internal abstract class SegmentStore : IDisposable
{
    /// <summary>The number of segments.</summary>
    public abstract int SegmentCount { get; }

    /// <summary>The whole memory of segment <paramref name="index"/>; the last segment may be shorter than the others.</summary>
    public abstract Memory<byte> GetSegment(int index);

    /// <summary>Releases the segments. Memory handed out before must not be used afterwards.</summary>
    public abstract void Dispose();
}
