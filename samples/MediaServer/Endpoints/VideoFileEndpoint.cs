using MediaServer.Http;
using MediaServer.Media;

namespace MediaServer.Endpoints;

/// <summary>
/// GET|HEAD /videos/{name} : the whole video (200) or one byte range of it (206), straight from its cache; 416 with
/// <c>Content-Range: bytes */size</c> for a range outside it. Conditional requests by <see cref="Preconditions"/> (304,
/// 412, If-Range), in RFC 9110's order; the table of every answer is docs/http-semantics.md.
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

        Validators validators = video.Validators;
        if (await exchange.TryAnswerPreconditionsAsync(validators).ConfigureAwait(false))
        {
            return;
        }

        // HEAD takes its Range as GET does (206 with Content-Range, no body), as nginx does: docs/http-semantics.md.
        HttpRequest request = exchange.Request;
        ByteRange range = default;
        RangeRequest kind = Preconditions.IfRangeHolds(request, validators)
            ? RangeHeader.Evaluate(request.GetHeader("Range"), video.Size, out range)
            : RangeRequest.Whole;
        if (kind == RangeRequest.Unsatisfiable)
        {
            await exchange.SendRangeNotSatisfiableAsync($"the range lies outside the video's {video.Size} bytes", video.Size).ConfigureAwait(false);
            return;
        }

        if (kind == RangeRequest.Whole)
        {
            range = new ByteRange(0, video.Size);
        }

        ResponseHead head = exchange.StartResponse(kind == RangeRequest.Partial ? HttpStatus.PartialContent : HttpStatus.Ok)
            .Add("Content-Type", video.ContentType)
            .Add("Content-Length", range.Length)
            .Add("Accept-Ranges", "bytes");
        validators.AddTo(head);
        if (kind == RangeRequest.Partial)
        {
            head.AddContentRange(range, video.Size);
        }

        await body.SendAsync(exchange, video.Cache, range.Offset, range.Length).ConfigureAwait(false);
    }
}
