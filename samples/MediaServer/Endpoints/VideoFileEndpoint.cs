using MediaServer.Http;
using MediaServer.Media;

namespace MediaServer.Endpoints;

/// <summary>
/// GET|HEAD /videos/{name} : the whole video (200) or one byte range of it (206), straight from its cache; 416 with
/// <c>Content-Range: bytes */size</c> for a range outside it. Honors If-Range against the ETag or Last-Modified, and
/// answers 304 when If-None-Match names the current ETag.
/// </summary>
internal sealed class VideoFileEndpoint(MediaLibrary library, CacheBody body)
{
    public async ValueTask HandleAsync(HttpExchange exchange, string name)
    {
        if (!library.TryGet(name, out Video? video))
        {
            await exchange.SendErrorAsync(HttpStatus.NotFound, "no such video").ConfigureAwait(false);
            return;
        }

        if (await exchange.TrySendNotModifiedAsync(video.ETag, video.LastModified).ConfigureAwait(false))
        {
            return;
        }

        HttpRequest request = exchange.Request;
        string? ifRange = request.GetHeader("If-Range");
        bool rangeAllowed = ifRange is null || ifRange == video.ETag || ifRange == video.LastModified;
        ByteRange range = default;
        RangeRequest kind = rangeAllowed ? RangeHeader.Evaluate(request.GetHeader("Range"), video.Size, out range) : RangeRequest.Whole;
        if (kind == RangeRequest.Unsatisfiable)
        {
            await exchange.SendErrorAsync(HttpStatus.RangeNotSatisfiable, $"the range lies outside the video's {video.Size} bytes", addFields: head => head
                .Add("Content-Range", $"bytes */{video.Size}")
                .Add("Accept-Ranges", "bytes")).ConfigureAwait(false);
            return;
        }

        if (kind == RangeRequest.Whole)
        {
            range = new ByteRange(0, video.Size);
        }

        ResponseHead head = exchange.StartResponse(kind == RangeRequest.Partial ? HttpStatus.PartialContent : HttpStatus.Ok)
            .Add("Content-Type", video.ContentType)
            .Add("Content-Length", range.Length)
            .Add("Accept-Ranges", "bytes")
            .Add("Last-Modified", video.LastModified)
            .Add("ETag", video.ETag);
        if (kind == RangeRequest.Partial)
        {
            head.Add("Content-Range", range.ToContentRange(video.Size));
        }

        await body.SendAsync(exchange, video.Cache, range.Offset, range.Length).ConfigureAwait(false);
    }
}
