using System.Globalization;
using MediaServer.Http;
using MediaServer.Media;

namespace MediaServer.Endpoints;

/// <summary>
/// GET|HEAD /videos/{name}/chunk?t=HH:MM:SS:FF&amp;size=N : the <c>request_chunk</c> of Brett Slatkin's <i>Effective
/// Python: 90 Specific Ways to Write Better Python</i> (2nd edition), by timecode. The timecode maps through the
/// video's keyframe index to the byte offset of the keyframe at or before it, and the response is the N bytes from
/// there (fewer at the end of the file), as 206 with <c>Content-Range</c> against the whole file.
/// </summary>
internal sealed class VideoChunkEndpoint(MediaLibrary library, CacheBody body)
{
    /// <summary>The largest chunk one request may ask for.</summary>
    public const long MaxChunkSize = 64L * 1024 * 1024;

    public async ValueTask HandleAsync(HttpExchange exchange, string name)
    {
        if (!library.TryGet(name, out Video? video))
        {
            await exchange.SendErrorAsync(HttpStatus.NotFound, "no such video").ConfigureAwait(false);
            return;
        }

        if (video.Index is not { } index)
        {
            await exchange.SendErrorAsync(HttpStatus.NotFound, "this video has no keyframe index, so no timecode chunks").ConfigureAwait(false);
            return;
        }

        if (!exchange.TryParseQuery(out IReadOnlyDictionary<string, string> query)
            || !query.TryGetValue("t", out string? t) || !Timecode.TryParse(t, out Timecode timecode)
            || !query.TryGetValue("size", out string? sizeText)
            || !long.TryParse(sizeText, NumberStyles.None, CultureInfo.InvariantCulture, out long size) || size is <= 0 or > MaxChunkSize)
        {
            await exchange.SendErrorAsync(HttpStatus.BadRequest, $"expected ?t=HH:MM:SS:FF&size=N with 0 < N <= {MaxChunkSize}").ConfigureAwait(false);
            return;
        }

        switch (index.Find(timecode, out int keyframe))
        {
            case KeyframeLookup.InvalidFrame:
                await exchange.SendErrorAsync(HttpStatus.BadRequest, $"frame {timecode.Frames} is not below the frame rate ({index.FramesPerSecond} frames per second)").ConfigureAwait(false);
                return;

            case KeyframeLookup.BeyondEnd:
                await exchange.SendRangeNotSatisfiableAsync(string.Create(CultureInfo.InvariantCulture, $"{timecode} is past the end ({index.DurationSeconds:0.###} s)"), video.Size).ConfigureAwait(false);
                return;
        }

        long offset = index.OffsetAt(keyframe);
        var range = new ByteRange(offset, Math.Min(size, video.Size - offset));
        exchange.StartResponse(HttpStatus.PartialContent)
            .Add("Content-Type", video.ContentType)
            .Add("Content-Length", range.Length)
            .AddContentRange(range, video.Size)
            .Add("X-Keyframe-Time", index.TimeAt(keyframe), "0.000")
            .Add("Cache-Control", "no-cache");
        await body.SendAsync(exchange, video.Cache, range.Offset, range.Length).ConfigureAwait(false);
    }
}
