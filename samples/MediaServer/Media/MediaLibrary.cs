using MediaServer.Diagnostics;
using Microsoft.Extensions.Logging;
using ZeroCopy;

namespace MediaServer.Media;

/// <summary>
/// The videos the server serves: every video file of one folder (not recursive), each held whole in its own
/// <see cref="VideoCache"/> (mapped or loaded: <see cref="MediaStorage"/>) and indexed, within a total byte budget. Requests name videos; names are looked up here and
/// nowhere else, so no request path ever reaches the file system.
/// </summary>
internal sealed class MediaLibrary : IDisposable
{
    private readonly Dictionary<string, Video> _byName;

    private MediaLibrary(List<Video> videos)
    {
        Videos = videos;
        _byName = videos.ToDictionary(video => video.Name, StringComparer.Ordinal);
    }

    /// <summary>The videos, ordered by name.</summary>
    public IReadOnlyList<Video> Videos { get; }

    /// <summary>The bytes the videos' caches hold.</summary>
    public long TotalSize => Videos.Sum(video => video.Size);

    /// <summary>Loads every video file of <paramref name="directory"/> whose size fits in what is left of <paramref name="budget"/>.</summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    public static async Task<MediaLibrary> LoadAsync(string directory, long budget, MediaStorage storage, ILogger logger, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"media folder '{directory}' does not exist");
        }

        var videos = new List<Video>();
        try
        {
            long used = 0;
            foreach (string path in Directory.EnumerateFiles(directory).Order(StringComparer.Ordinal))
            {
                string name = Path.GetFileName(path);
                string? contentType = ContentTypes.ForFile(name);
                if (contentType is null || name.StartsWith('.'))
                {
                    continue;
                }

                var info = new FileInfo(path);
                if (info.Length > budget - used)
                {
                    ServerLog.VideoSkipped(logger, name, $"{info.Length} bytes exceed what is left of the cache size ({budget - used} of {budget} bytes)");
                    continue;
                }

                VideoCache cache = await storage.OpenAsync(path, cancellationToken).ConfigureAwait(false);
                used += cache.Capacity;
                KeyframeIndex? index = TryIndex(name, contentType, cache, logger);
                var video = new Video(name, cache, contentType, info.LastWriteTimeUtc, index);
                videos.Add(video);
                ServerLog.VideoLoaded(logger, name, video.Size, index?.ToString() ?? "not indexed");
            }

            return new MediaLibrary(videos);
        }
        catch
        {
            videos.ForEach(video => video.Dispose());
            throw;
        }
    }

    /// <summary>Finds a video by its exact name. O(1).</summary>
    public bool TryGet(string name, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out Video video) => _byName.TryGetValue(name, out video);

    public void Dispose()
    {
        foreach (Video video in Videos)
        {
            video.Dispose();
        }
    }

    private static KeyframeIndex? TryIndex(string name, string contentType, VideoCache cache, ILogger logger)
    {
        try
        {
            return contentType switch
            {
                "video/mp4" or "video/quicktime" => Mp4KeyframeIndexer.Build(cache),
                "video/mp2t" => MpegTsKeyframeIndexer.Build(cache),
                _ => null,
            };
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentOutOfRangeException or IndexOutOfRangeException)
        {
            ServerLog.IndexFailed(logger, name, e.Message);
            return null;
        }
    }
}
