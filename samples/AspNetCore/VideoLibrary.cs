using System.Collections.Frozen;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Net.Http.Headers;
using ZeroCopy;
using ZeroCopy.Samples;

namespace AspNetCoreSample;

/// <summary>The videos the app serves, loaded once into memory at start-up and looked up by name.</summary>
public sealed class VideoLibrary : IDisposable
{
    private readonly FrozenDictionary<string, Video> _videos;

    private VideoLibrary(IEnumerable<Video> videos) =>
        _videos = videos.ToFrozenDictionary(video => video.Name, StringComparer.Ordinal);

    /// <summary>A library with no videos.</summary>
    public static VideoLibrary Empty { get; } = new([]);

    /// <summary>The videos by name.</summary>
    public IReadOnlyDictionary<string, Video> Videos => _videos;

    /// <summary>Finds a video by name. Names come from the URL and are only looked up here, never on the file system.</summary>
    /// <param name="name">The name from the request.</param>
    /// <param name="video">The video, when found.</param>
    /// <returns>Whether the library holds a video of that name.</returns>
    public bool TryGet(string name, out Video video) => _videos.TryGetValue(name, out video!);

    /// <summary>Loads every non-empty file directly inside <paramref name="directory"/>; a video's name is its file name.</summary>
    /// <param name="directory">The media folder.</param>
    /// <param name="segmentSize">The caches' segment size.</param>
    /// <param name="cancellationToken">Cancels the load; what was loaded so far is disposed.</param>
    /// <returns>The library; the caller owns it.</returns>
    public static async Task<VideoLibrary> LoadDirectoryAsync(string directory, int segmentSize, CancellationToken cancellationToken)
    {
        var contentTypes = new FileExtensionContentTypeProvider();
        contentTypes.Mappings[".ts"] = "video/mp2t"; // what HLS players expect, rather than the DLNA type
        var videos = new List<Video>();
        try
        {
            foreach (FileInfo file in new DirectoryInfo(directory).EnumerateFiles().OrderBy(file => file.Name, StringComparer.Ordinal))
            {
                if (file.Length == 0)
                {
                    continue;
                }

                VideoCache cache = await VideoCache.LoadFileAsync(file.FullName, segmentSize, cancellationToken).ConfigureAwait(false);
                string contentType = contentTypes.TryGetContentType(file.Name, out string? type) ? type : "application/octet-stream";
                // The media server's validators for the same file (samples/Shared/Http): a client may switch servers.
                DateTimeOffset lastModified = FileValidators.LastModified(file.LastWriteTimeUtc);
                var etag = new EntityTagHeaderValue(FileValidators.EntityTag(file.Length, lastModified));
                videos.Add(new Video(file.Name, cache, contentType, lastModified, etag));
            }
        }
        catch
        {
            videos.ForEach(video => video.Cache.Dispose());
            throw;
        }

        return new VideoLibrary(videos);
    }

    /// <summary>Disposes every cache. Call it only once no request can still be reading one.</summary>
    public void Dispose()
    {
        foreach (Video video in _videos.Values)
        {
            video.Cache.Dispose();
        }
    }
}
