using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Headers;
using Microsoft.Net.Http.Headers;

namespace ZeroCopy.AspNetCore;

/// <summary>
/// The result behind <see cref="VideoCacheResults.Range(VideoCache, long, long, string, EntityTagHeaderValue?, DateTimeOffset?)"/>:
/// a range of a cache as one HTTP representation, answered with 200, 206, 304, 412 or 416, the body written from the
/// cache's segments into the response pipe.
/// </summary>
[DebuggerDisplay("{ToString(),nq}")]
internal sealed class VideoCacheRangeResult : IResult
{
    private readonly VideoCache _cache;          // the bytes; read during ExecuteAsync only
    private readonly long _offset;               // the cache offset of the representation's byte 0
    private readonly long _length;               // the representation's length
    private readonly string _contentType;        // sent with 200 and 206
    private readonly EntityTagHeaderValue? _entityTag; // ETag, and the validator the conditions compare with
    private readonly DateTimeOffset? _lastModified;    // Last-Modified at whole seconds (HTTP dates have no finer precision)

    public VideoCacheRangeResult(VideoCache cache, long offset, long length, string contentType, EntityTagHeaderValue? entityTag, DateTimeOffset? lastModified)
    {
        _cache = cache;
        _offset = offset;
        _length = length;
        _contentType = contentType;
        _entityTag = entityTag;
        _lastModified = lastModified is { } date ? date.AddTicks(-(date.Ticks % TimeSpan.TicksPerSecond)) : null;
    }

    /// <summary>Answers the request; see <see cref="VideoCacheResults"/> for the rules.</summary>
    /// <param name="httpContext">The exchange.</param>
    /// <returns>Completes when the response is written, or when the client left (a normal end, not an error).</returns>
    /// <exception cref="ObjectDisposedException">The cache was disposed before the response started.</exception>
    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        HttpRequest request = httpContext.Request;
        HttpResponse response = httpContext.Response;
        RequestHeaders requestHeaders = request.GetTypedHeaders();
        ResponseHeaders responseHeaders = response.GetTypedHeaders();

        response.Headers.AcceptRanges = "bytes";
        responseHeaders.ETag = _entityTag;
        responseHeaders.LastModified = _lastModified;

        switch (Preconditions.Evaluate(request.Method, requestHeaders, _entityTag, _lastModified))
        {
            case PreconditionOutcome.NotModified:
                response.StatusCode = StatusCodes.Status304NotModified;
                return Task.CompletedTask;
            case PreconditionOutcome.Failed:
                response.StatusCode = StatusCodes.Status412PreconditionFailed;
                response.ContentLength = 0;
                return Task.CompletedTask;
        }

        ByteRangeSelection selection = ByteRangeSelection.Select(request, requestHeaders, _length, _entityTag, _lastModified);
        if (!selection.IsSatisfiable)
        {
            response.StatusCode = StatusCodes.Status416RangeNotSatisfiable;
            responseHeaders.ContentRange = new ContentRangeHeaderValue(_length);
            response.ContentLength = 0;
            return Task.CompletedTask;
        }

        if (selection.IsPartial)
        {
            response.StatusCode = StatusCodes.Status206PartialContent;
            responseHeaders.ContentRange = new ContentRangeHeaderValue(selection.Offset, selection.Last, _length);
        }

        response.ContentType = _contentType;
        response.ContentLength = selection.Length;
        if (HttpMethods.IsHead(request.Method) || selection.Length == 0)
        {
            return Task.CompletedTask;
        }

        return WriteBodyAsync(httpContext, selection);
    }

    private async Task WriteBodyAsync(HttpContext httpContext, ByteRangeSelection selection)
    {
        // O(1), no copy: a view of the cache's segments. ResponseBody copies it once, into Kestrel's pipe.
        if (!await ResponseBody.WriteAsync(httpContext, _cache.ReadSlice(_offset + selection.Offset, selection.Length)).ConfigureAwait(false))
        {
            ResultLog.ClientLeft(ResultLog.For(httpContext), httpContext.Request.Path, selection.Length);
        }
    }

    /// <summary>Describes the result; never throws.</summary>
    /// <returns>A short description.</returns>
    public override string ToString() =>
        $"VideoCacheRangeResult Offset = {_offset}, Length = {_length}, ContentType = {_contentType}, ETag = {_entityTag?.ToString() ?? "none"}";
}
