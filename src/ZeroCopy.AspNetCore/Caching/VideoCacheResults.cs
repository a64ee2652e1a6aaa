using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace ZeroCopy.AspNetCore;

/// <summary>
/// <see cref="IResult"/>s that serve a <see cref="VideoCache"/> over HTTP with range requests, writing the cache's own
/// segments into Kestrel's response pipe: one user-space copy per byte, where <c>Results.Stream</c> over
/// <see cref="VideoCache.OpenReadStream"/> costs two.
/// </summary>
/// <remarks>
/// The result answers, in RFC 9110's order: preconditions (<c>If-Match</c>, <c>If-Unmodified-Since</c> → 412;
/// <c>If-None-Match</c>, <c>If-Modified-Since</c> → 304), then one <c>bytes</c> range on a <c>GET</c> or <c>HEAD</c> (→ 206 with
/// <c>Content-Range</c>, or 416 with <c>Content-Range: bytes */length</c> when it starts past the end), guarded by
/// <c>If-Range</c>. Several ranges, other units, an unparsable <c>Range</c> or a failed <c>If-Range</c> get 200 with the
/// whole representation. Headers are parsed by ASP.NET Core (<see cref="HeaderDictionaryTypeExtensions.GetTypedHeaders(HttpRequest)"/>).
/// The copy into the pipe is the same whatever the cache's store (<see cref="VideoCache.Memory"/>): a shared-memory or
/// mapped-file cache is copied like pinned arrays, since the body goes through Kestrel's pipe, not the library's
/// <c>sendfile(2)</c> path.
/// </remarks>
/// <example>
/// <code>
/// app.MapMethods("/videos/{name}", ["GET", "HEAD"], (string name, VideoLibrary library) =&gt;
///     library.TryGet(name, out Video video)
///         ? VideoCacheResults.Range(video.Cache, "video/mp4", video.ETag, video.LastModified)
///         : Results.NotFound());
/// </code>
/// </example>
public static class VideoCacheResults
{
    /// <summary>Serves the whole cache as one representation, with range and conditional requests on it.</summary>
    /// <param name="cache">The bytes to serve. The result reads it while the response is written: keep it undisposed until then.</param>
    /// <param name="contentType">The <c>Content-Type</c> of the representation, for example <c>video/mp4</c>.</param>
    /// <param name="entityTag">The representation's entity tag, sent as <c>ETag</c> and compared with <c>If-Match</c>, <c>If-None-Match</c> and <c>If-Range</c>; <see langword="null"/> for none.</param>
    /// <param name="lastModified">When the representation last changed, sent as <c>Last-Modified</c> (whole seconds) and compared with the date conditions; <see langword="null"/> for unknown.</param>
    /// <returns>A result that writes the response when executed; it may be executed once or many times. O(1), no copy.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="cache"/> or <paramref name="contentType"/> is <see langword="null"/>.</exception>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "Both overloads shipped together and differ by required parameters (the range), so no call binds ambiguously.")]
    public static IResult Range(VideoCache cache, string contentType, EntityTagHeaderValue? entityTag = null, DateTimeOffset? lastModified = null)
    {
        ArgumentNullException.ThrowIfNull(cache);
        return Range(cache, 0, cache.Capacity, contentType, entityTag, lastModified);
    }

    /// <summary>
    /// Serves <c>[offset, offset + length)</c> of the cache as one representation (its byte 0 is the cache's byte
    /// <paramref name="offset"/>), with range and conditional requests on it.
    /// </summary>
    /// <param name="cache">The bytes to serve. The result reads it while the response is written: keep it undisposed until then.</param>
    /// <param name="offset">The cache offset of the representation's first byte.</param>
    /// <param name="length">The representation's length in bytes; may exceed 2 GiB.</param>
    /// <param name="contentType">The <c>Content-Type</c> of the representation, for example <c>video/mp4</c>.</param>
    /// <param name="entityTag">The representation's entity tag, sent as <c>ETag</c> and compared with <c>If-Match</c>, <c>If-None-Match</c> and <c>If-Range</c>; <see langword="null"/> for none.</param>
    /// <param name="lastModified">When the representation last changed, sent as <c>Last-Modified</c> (whole seconds) and compared with the date conditions; <see langword="null"/> for unknown.</param>
    /// <returns>A result that writes the response when executed; it may be executed once or many times. O(1), no copy.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="cache"/> or <paramref name="contentType"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The range is negative or does not fit in the cache's capacity.</exception>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "Both overloads shipped together and differ by required parameters (the range), so no call binds ambiguously.")]
    public static IResult Range(VideoCache cache, long offset, long length, string contentType, EntityTagHeaderValue? entityTag = null, DateTimeOffset? lastModified = null)
    {
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentNullException.ThrowIfNull(contentType);
        long capacity = cache.Capacity;
        if ((ulong)offset > (ulong)capacity || (ulong)length > (ulong)(capacity - offset))
        {
            ThrowRangeOutsideCache(offset, length, capacity);
        }

        return new VideoCacheRangeResult(cache, offset, length, contentType, entityTag, lastModified);
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void ThrowRangeOutsideCache(long offset, long length, long capacity) =>
        throw new ArgumentOutOfRangeException(
            nameof(offset),
            $"The range at offset {offset} of length {length} does not fit in the cache's capacity of {capacity} bytes.");
}
