using System.Collections.Frozen;
using ZeroCopy;

namespace ChunkServer.Server;

/// <summary>The videos the server holds, each in its own <see cref="VideoCache"/>, looked up by id.</summary>
public sealed class VideoLibrary : IDisposable
{
    /// <summary>The id of the built-in video served when no media folder is given.</summary>
    public const string DemoVideoId = "demo";

    private readonly FrozenDictionary<string, VideoCache> _videos;

    private VideoLibrary(Dictionary<string, VideoCache> videos) => _videos = videos.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The videos by id.</summary>
    public IReadOnlyDictionary<string, VideoCache> Videos => _videos;

    /// <summary>Finds a video by id; ids come from the wire and never reach the file system.</summary>
    public bool TryGet(string id, out VideoCache cache) => _videos.TryGetValue(id, out cache!);

    /// <summary>
    /// Holds every file directly inside <paramref name="directory"/>, mapped read-only (<paramref name="mapped"/>: sends
    /// use sendfile(2)) or loaded into pinned arrays; a video's id is its file name.
    /// </summary>
    public static async Task<VideoLibrary> LoadDirectoryAsync(string directory, int segmentSize, bool mapped, CancellationToken cancellationToken)
    {
        var videos = new Dictionary<string, VideoCache>(StringComparer.Ordinal);
        try
        {
            foreach (string path in Directory.EnumerateFiles(directory).Order(StringComparer.Ordinal))
            {
                if (new FileInfo(path).Length > 0)
                {
                    videos[Path.GetFileName(path)] = mapped
                        ? VideoCache.OpenFile(path, segmentSize)
                        : await VideoCache.LoadFileAsync(path, segmentSize, cancellationToken);
                }
            }
        }
        catch
        {
            foreach (VideoCache cache in videos.Values)
            {
                cache.Dispose();
            }

            throw;
        }

        return new VideoLibrary(videos);
    }

    /// <summary>
    /// A library with one synthetic video, <see cref="DemoVideoId"/>: <paramref name="size"/> bytes of seeded random
    /// data, like the 100 MB test buffer of Brett Slatkin's <i>Effective Python: 90 Specific Ways to Write Better
    /// Python</i> (2nd edition). The same seed gives the same bytes, so clients can check what they got.
    /// </summary>
    public static VideoLibrary CreateDemo(long size, int segmentSize, CacheMemory memory = CacheMemory.PinnedArrays, int seed = DemoSeed)
    {
        var cache = new VideoCache(size, segmentSize, memory);
        FillDemoBytes(cache, seed);
        return new VideoLibrary(new Dictionary<string, VideoCache> { [DemoVideoId] = cache });
    }

    /// <summary>The seed of the built-in demo video.</summary>
    public const int DemoSeed = 20_000_000;

    /// <summary>Fills <paramref name="cache"/> with the demo bytes for <paramref name="seed"/>, writing through its views.</summary>
    public static void FillDemoBytes(VideoCache cache, int seed)
    {
        var random = new Random(seed);
        foreach (Memory<byte> piece in cache.GetWritableRanges(0, cache.Capacity))
        {
            random.NextBytes(piece.Span);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (VideoCache cache in _videos.Values)
        {
            cache.Dispose();
        }
    }
}
