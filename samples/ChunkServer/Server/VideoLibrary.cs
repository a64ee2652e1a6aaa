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

    /// <summary>Loads every file directly inside <paramref name="directory"/>; a video's id is its file name.</summary>
    public static async Task<VideoLibrary> LoadDirectoryAsync(string directory, int segmentSize, CancellationToken cancellationToken)
    {
        var videos = new Dictionary<string, VideoCache>(StringComparer.Ordinal);
        try
        {
            foreach (string path in Directory.EnumerateFiles(directory).Order(StringComparer.Ordinal))
            {
                if (new FileInfo(path).Length > 0)
                {
                    videos[Path.GetFileName(path)] = await VideoCache.LoadFileAsync(path, segmentSize, cancellationToken);
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
    /// data, like the book's 100 MB test buffer. The same seed gives the same bytes, so clients can check what they got.
    /// </summary>
    public static VideoLibrary CreateDemo(long size, int segmentSize, int seed = DemoSeed)
    {
        var cache = new VideoCache(size, segmentSize);
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
