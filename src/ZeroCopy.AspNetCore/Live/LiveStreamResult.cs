using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;

namespace ZeroCopy.AspNetCore;

/// <summary>The result behind <see cref="LiveCacheResults.Stream"/>: one reader per viewer, copied into the response pipe.</summary>
[DebuggerDisplay("{ToString(),nq}")]
internal sealed class LiveStreamResult : IResult
{
    /// <summary>The most bytes copied from the ring per read: one chunk, one flush.</summary>
    public const int PieceSize = 64 * 1024;

    private readonly LiveCache _cache;      // the stream; each execution creates and disposes its own reader
    private readonly string _contentType;   // sent in the head

    public LiveStreamResult(LiveCache cache, string contentType)
    {
        _cache = cache;
        _contentType = contentType;
    }

    /// <summary>Streams to the client; see <see cref="LiveCacheResults.Stream"/> for the rules.</summary>
    /// <param name="httpContext">The exchange.</param>
    /// <returns>Completes when the response has ended, whichever way.</returns>
    /// <exception cref="ObjectDisposedException">The live cache was disposed before the response started.</exception>
    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        HttpResponse response = httpContext.Response;
        response.ContentType = _contentType;
        response.Headers.CacheControl = "no-cache, no-store";
        response.Headers[HeaderNames.XContentTypeOptions] = "nosniff";
        return HttpMethods.IsHead(httpContext.Request.Method) ? Task.CompletedTask : StreamAsync(httpContext, _cache.CreateReader());
    }

    private static async Task StreamAsync(HttpContext httpContext, LiveReader reader)
    {
        using LiveReader owned = reader;
        PipeWriter writer = httpContext.Response.BodyWriter;
        CancellationToken aborted = httpContext.RequestAborted;
        ILogger logger = ResultLog.For(httpContext);
        string path = httpContext.Request.Path;
        try
        {
            // The head now (a flush with nothing written sends it), so that a viewer sees 200 before the first data.
            if (!await ResponseBody.FlushAsync(httpContext, writer, aborted).ConfigureAwait(false))
            {
                ResultLog.ViewerLeft(logger, path);
                return;
            }

            while (true)
            {
                LiveReadResult result = await reader.ReadAsync(aborted).ConfigureAwait(false);
                ReadOnlySequence<byte> buffer = result.Buffer;
                if (buffer.IsEmpty)
                {
                    return; // Empty only when the stream completed and everything was sent.
                }

                // Copy, then prove the copy intact (AdvanceTo throws if the writer reused the region meanwhile), and
                // only then commit it to the response: a torn byte is never sent.
                Memory<byte> memory = writer.GetMemory((int)Math.Min(buffer.Length, PieceSize));
                int count = (int)Math.Min(Math.Min(buffer.Length, PieceSize), memory.Length);
                buffer.Slice(0, count).CopyTo(memory.Span);
                reader.AdvanceTo(result.Position + count);
                writer.Advance(count);
                if (!await ResponseBody.FlushAsync(httpContext, writer, aborted).ConfigureAwait(false))
                {
                    ResultLog.ViewerLeft(logger, path);
                    return;
                }

                if (result.IsCompleted && count == buffer.Length)
                {
                    return;
                }
            }
        }
        catch (LiveReaderLappedException)
        {
            ResultLog.ViewerCutOff(logger, path);
            httpContext.Abort();
        }
        catch (Exception e) when (ResponseBody.IsClientGone(e, aborted))
        {
            ResultLog.ViewerLeft(logger, path);
            httpContext.Abort();
        }
        catch (IOException e)
        {
            // The writer completed the stream with an error: the viewer must not take the truncated stream for a whole one.
            ResultLog.StreamFailed(logger, path, e.InnerException?.Message ?? e.Message);
            httpContext.Abort();
        }
    }

    /// <summary>Describes the result; never throws.</summary>
    /// <returns>A short description.</returns>
    public override string ToString() => $"LiveStreamResult Cache = {_cache.Name}, ContentType = {_contentType}";
}
