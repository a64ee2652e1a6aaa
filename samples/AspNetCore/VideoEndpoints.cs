using ZeroCopy;
using ZeroCopy.AspNetCore;

namespace AspNetCoreSample;

/// <summary>The HTTP endpoints: the list of videos, and each video with range requests.</summary>
public static class VideoEndpoints
{
    /// <summary>
    /// Maps <c>GET /</c> (the videos, as JSON) and <c>GET</c>/<c>HEAD /videos/{name}</c> (a video, with
    /// <c>Range</c>, <c>If-Range</c> and conditional requests).
    /// </summary>
    /// <param name="endpoints">The application's route builder.</param>
    /// <param name="resultsStream">
    /// For load comparisons only: serve with <c>Results.Stream</c> over <see cref="VideoCache.OpenReadStream"/> (two
    /// user-space copies) instead of <see cref="VideoCacheResults"/> (one).
    /// </param>
    /// <returns><paramref name="endpoints"/>, for chaining.</returns>
    public static IEndpointRouteBuilder MapVideos(this IEndpointRouteBuilder endpoints, bool resultsStream = false)
    {
        endpoints.MapGet("/", ListVideos);
        endpoints.MapMethods("/videos/{name}", [HttpMethods.Get, HttpMethods.Head], resultsStream ? ServeVideoAsStream : ServeVideo);
        return endpoints;
    }

    private static IEnumerable<VideoInfo> ListVideos(VideoLibrary library) =>
        library.Videos.Values.Select(video =>
            new VideoInfo(video.Name, video.Cache.Capacity, video.ContentType, $"/videos/{Uri.EscapeDataString(video.Name)}"));

    private static IResult ServeVideo(string name, VideoLibrary library) =>
        library.TryGet(name, out Video video)
            // Range, If-Range, 416, conditional requests and HEAD are the package's; the body is written from the
            // cache's segments straight into Kestrel's response pipe: one copy.
            ? VideoCacheResults.Range(video.Cache, video.ContentType, video.ETag, video.LastModified)
            : Results.NotFound();

    /// <summary>The baseline of the load comparison: a stream over the cache, copied to a pooled buffer, then to the pipe.</summary>
    private static IResult ServeVideoAsStream(string name, VideoLibrary library) =>
        library.TryGet(name, out Video video)
            ? Results.Stream(video.Cache.OpenReadStream(0, video.Cache.Capacity), video.ContentType, lastModified: video.LastModified, entityTag: video.ETag, enableRangeProcessing: true)
            : Results.NotFound();

    /// <summary>One entry of <c>GET /</c>.</summary>
    /// <param name="Name">The video's name.</param>
    /// <param name="Length">Its length in bytes.</param>
    /// <param name="ContentType">Its media type.</param>
    /// <param name="Url">Where to get it.</param>
    public sealed record VideoInfo(string Name, long Length, string ContentType, string Url);
}
