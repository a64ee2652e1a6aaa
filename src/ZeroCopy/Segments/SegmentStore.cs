namespace ZeroCopy.Segments;

/// <summary>
/// The memory behind a cache: a fixed number of segments of one power-of-two size (the last may be shorter), allocated
/// once, at a fixed address for the store's lifetime (sockets rely on that to skip pinning per call).
/// </summary>
/// <remarks>
/// The seam between where the bytes live and how they are addressed: <see cref="SegmentChain"/> does all addressing and
/// slicing over whatever store it is given, so a new store (pinned arrays today; a memory-mapped region, so that sends can
/// use <c>sendfile(2)</c>) needs no change above it.
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
