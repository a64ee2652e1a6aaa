using CommunityToolkit.HighPerformance;

namespace ZeroCopy;

// Ranges as Stream objects, for APIs that only take streams.
public sealed partial class VideoCache
{
    /// <summary>
    /// Opens a read-only, seekable <see cref="Stream"/> over <c>[offset, offset + length)</c> that reads from the
    /// cache's memory without copying the range up front. O(1) to open.
    /// </summary>
    /// <param name="offset">The first byte of the range.</param>
    /// <param name="length">The number of bytes in the range.</param>
    /// <returns>A stream the caller disposes; it must not be used after the cache is disposed.</returns>
    /// <remarks>
    /// A range inside one segment is exposed through CommunityToolkit.HighPerformance's memory stream; a range that
    /// crosses segments, through a stream over the chained sequence. Each allocates only the stream object.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">The range is negative or does not fit in <see cref="Capacity"/>.</exception>
    /// <exception cref="ObjectDisposedException">The cache has been disposed.</exception>
    public Stream OpenReadStream(long offset, long length)
    {
        var slice = ReadSlice(offset, length);
        return slice.IsSingleSegment ? slice.First.AsStream() : new ReadOnlySequenceStream(slice);
    }
}
