using ZeroCopy;

namespace MediaServer.Media;

/// <summary>
/// Where the server keeps video: mapped (each video file mapped read-only with <see cref="VideoCache.OpenFile"/>, live
/// rings in shared memory, so that every send is a <c>sendfile(2)</c>), or loaded into pinned arrays.
/// </summary>
internal sealed class MediaStorage(bool mapped, bool lockInMemory)
{
    /// <summary>The store of each live channel's ring.</summary>
    public CacheMemory LiveMemory => mapped ? CacheMemory.SharedMemory : CacheMemory.PinnedArrays;

    /// <summary>A live ring's size: <paramref name="requested"/>, rounded up to what the ring's store accepts (the library's rule).</summary>
    public long RingCapacity(long requested) => LiveCache.RoundUpCapacity(requested, LiveMemory);

    /// <summary>Opens the video at <paramref name="path"/>: mapped in about a millisecond, or loaded whole.</summary>
    public async ValueTask<VideoCache> OpenAsync(string path, CancellationToken cancellationToken) =>
        mapped
            ? VideoCache.OpenFile(path, VideoCache.DefaultSegmentSize, lockInMemory)
            : await VideoCache.LoadFileAsync(path, VideoCache.DefaultSegmentSize, cancellationToken).ConfigureAwait(false);
}
