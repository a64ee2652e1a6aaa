using Microsoft.AspNetCore.Http;

namespace ZeroCopy.AspNetCore;

/// <summary><see cref="IResult"/>s that stream a <see cref="LiveCache"/> to HTTP viewers, each through its own <see cref="LiveReader"/>.</summary>
/// <example>
/// <code>
/// app.MapGet("/live/{name}", (string name, Channels channels) =&gt;
///     channels.TryGet(name, out LiveCache? cache) ? LiveCacheResults.Stream(cache, "video/mp2t") : Results.NotFound());
/// </code>
/// </example>
public static class LiveCacheResults
{
    /// <summary>
    /// Streams the live cache to the client from a reader of its own, created when the result executes (so the viewer
    /// starts where every new reader does: at the newest sync point, with its preamble), until the stream completes,
    /// the viewer is cut off, or the client leaves.
    /// </summary>
    /// <param name="cache">The live stream. The result reads it while the response is written.</param>
    /// <param name="contentType">The <c>Content-Type</c> of the stream, for example <c>video/mp2t</c>.</param>
    /// <returns>
    /// A result that may be executed once or many times, one reader per execution, disposed when the response ends.
    /// It answers 200 with <c>Cache-Control: no-cache, no-store</c> and no <c>Content-Length</c> (chunked in HTTP/1.1);
    /// <c>HEAD</c> gets the head only and creates no reader. The body is copied from the ring into the response pipe in
    /// pieces of at most 64 KiB, each committed only after <see cref="LiveReader.AdvanceTo"/> proved it intact. A stream
    /// that the writer completes normally ends the response normally; a stream completed with an error, or a viewer cut
    /// off (<see cref="LiveReaderLappedException"/>), aborts it so the client sees a truncated body; a client that leaves
    /// is a normal end, logged at debug level only. O(1) to create.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="cache"/> or <paramref name="contentType"/> is <see langword="null"/>.</exception>
    public static IResult Stream(LiveCache cache, string contentType)
    {
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentNullException.ThrowIfNull(contentType);
        return new LiveStreamResult(cache, contentType);
    }
}
