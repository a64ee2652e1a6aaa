using ZeroCopy;

namespace AspNetCoreSample;

/// <summary>The HTTP endpoints: the list of videos, and each video with range requests.</summary>
public static class VideoEndpoints
{
    /// <summary>
    /// Maps <c>GET /</c> (the videos, as JSON) and <c>GET</c>/<c>HEAD /videos/{name}</c> (a video, with
    /// <c>Range</c>, <c>If-Range</c> and conditional requests).
    /// </summary>
    /// <param name="endpoints">The application's route builder.</param>
    /// <returns><paramref name="endpoints"/>, for chaining.</returns>
    public static IEndpointRouteBuilder MapVideos(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/", ListVideos);
        endpoints.MapMethods("/videos/{name}", [HttpMethods.Get, HttpMethods.Head], ServeVideo);
        return endpoints;
    }

    private static IEnumerable<VideoInfo> ListVideos(VideoLibrary library) =>
        library.Videos.Values.Select(video =>
            new VideoInfo(video.Name, video.Cache.Capacity, video.ContentType, $"/videos/{Uri.EscapeDataString(video.Name)}"));

    private static IResult ServeVideo(string name, VideoLibrary library)
    {
        if (!library.TryGet(name, out Video video))
        {
            return Results.NotFound();
        }

        // OpenReadStream is O(1): a seekable stream over the cache's own memory, not a copy of the video. With range
        // processing on, ASP.NET Core answers 206 (or 416, 304, 412) by itself, seeks the stream to the range's start
        // and copies only that range to the response; the result disposes the stream when it is done.
        Stream body = video.Cache.OpenReadStream(0, video.Cache.Capacity);
        return Results.Stream(body, video.ContentType, lastModified: video.LastModified, entityTag: video.ETag, enableRangeProcessing: true);
    }

    /// <summary>One entry of <c>GET /</c>.</summary>
    /// <param name="Name">The video's name.</param>
    /// <param name="Length">Its length in bytes.</param>
    /// <param name="ContentType">Its media type.</param>
    /// <param name="Url">Where to get it.</param>
    public sealed record VideoInfo(string Name, long Length, string ContentType, string Url);
}
