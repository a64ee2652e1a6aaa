using System.Diagnostics;

namespace ZeroCopy;

/// <summary>The settings of a <see cref="LiveCache"/>, validated when the cache is created.</summary>
/// <example>
/// <code>
/// using var cache = new LiveCache(new LiveCacheOptions
/// {
///     Capacity = 256L * 1024 * 1024,                         // about 2 minutes of a 16 Mbit/s channel
///     SyncPointDetector = new MpegTsSyncPointDetector(),     // late joiners start at a keyframe, with PAT/PMT
///     Name = "channel-1",
/// });
/// </code>
/// </example>
[DebuggerDisplay("Capacity = {Capacity}, SegmentSize = {SegmentSize}, Policy = {LaggingReaderPolicy}, Name = {Name}")]
public sealed class LiveCacheOptions
{
    /// <summary>The default of <see cref="SyncPointIndexCapacity"/>: 4096 sync points.</summary>
    public const int DefaultSyncPointIndexCapacity = 4096;

    /// <summary>
    /// The number of bytes in the ring; may exceed 2 GiB. At least <see cref="LiveCache.MinCapacity"/>. Readers can reach
    /// back between seven eighths of it and all of it (the writer reclaims the ring an eighth at a time).
    /// </summary>
    public long Capacity { get; init; }

    /// <summary>
    /// The size of each of the ring's segments: a power of two between <see cref="VideoCache.MinSegmentSize"/> and
    /// <see cref="VideoCache.MaxSegmentSize"/>; <see cref="VideoCache.DefaultSegmentSize"/> (64 MiB) by default. A single
    /// receive never crosses a segment boundary.
    /// </summary>
    public int SegmentSize { get; init; } = VideoCache.DefaultSegmentSize;

    /// <summary>What happens to a reader that falls a ring behind; <see cref="LaggingReaderPolicy.SkipToSyncPoint"/> by default.</summary>
    public LaggingReaderPolicy LaggingReaderPolicy { get; init; } = LaggingReaderPolicy.SkipToSyncPoint;

    /// <summary>
    /// Finds where new and lagging readers may start, and the stream's unit. <see langword="null"/> (the default): a
    /// plain byte stream, in which every position is a sync point, so new and skipping readers start at the newest byte.
    /// The cache takes the detector over: it calls it from the writer only.
    /// </summary>
    public ISyncPointDetector? SyncPointDetector { get; init; }

    /// <summary>
    /// Where the ring keeps its bytes: <see cref="CacheMemory.PinnedArrays"/> (the default), or
    /// <see cref="CacheMemory.SharedMemory"/> (a memfd on Linux) so that <see cref="LiveReader.SendToAsync"/> and
    /// <see cref="LiveCache.SendRangeAsync"/> send pieces longer than 64 KiB with <c>sendfile(2)</c> on the
    /// <see cref="SocketLoop"/> (through the framework they copy, as from pinned arrays).
    /// With shared memory the capacity must be a multiple of eight pages (32 KiB with 4 KiB pages): each eighth the writer
    /// reclaims is then whole pages, which it detaches from the ring before reusing them, so that bytes the kernel still
    /// holds for a send keep their contents.
    /// </summary>
    public CacheMemory Memory { get; init; } = CacheMemory.PinnedArrays;

    /// <summary>
    /// How many of the newest sync points the cache's index remembers (<see cref="LiveCache.CopySyncPoints"/>,
    /// <see cref="LiveCache.TryGetSyncPointAtOrBefore"/>): 4096 by default, at least 1. One reference per entry; with a
    /// keyframe a second, 4096 covers more than an hour, so in practice the ring, not the index, bounds how far back a
    /// reader can go.
    /// </summary>
    public int SyncPointIndexCapacity { get; init; } = DefaultSyncPointIndexCapacity;

    /// <summary>The channel's name, used as the <c>zerocopy.live.channel</c> tag of the cache's metrics; <see langword="null"/> for none.</summary>
    public string? Name { get; init; }

    /// <summary>Describes the options; never throws.</summary>
    /// <returns>A short description.</returns>
    public override string ToString() =>
        $"LiveCacheOptions Capacity = {Capacity}, SegmentSize = {SegmentSize}, LaggingReaderPolicy = {LaggingReaderPolicy}, Memory = {Memory}, SyncPointIndexCapacity = {SyncPointIndexCapacity}, Name = {Name ?? "(none)"}";
}
