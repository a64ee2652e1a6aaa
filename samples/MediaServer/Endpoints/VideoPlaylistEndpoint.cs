using MediaServer.AccessControl;
using MediaServer.Http;
using MediaServer.Media;

namespace MediaServer.Endpoints;

/// <summary>
/// GET|HEAD /videos/{name}/index.m3u8 : the HLS playlist of an indexed MPEG-TS video (<see cref="VodPlaylist"/>), whose
/// segments are byte ranges of <c>/videos/{name}</c>, so that every browser plays it (natively on Apple's, through hls.js
/// elsewhere) while each segment is a Range request answered straight from the cache by <see cref="VideoFileEndpoint"/>.
/// The bytes were rendered when the video was loaded; a request sends them as they are (conditional requests by
/// <see cref="Preconditions"/>: 304 when If-None-Match names the playlist's ETag, 412 when If-Match does not). A signed request's <c>?expires=…&amp;token=…</c> is carried into the segment URIs, which renders
/// a playlist for that request. 404 with the reason for a video that has no playlist.
/// </summary>
internal sealed class VideoPlaylistEndpoint(MediaLibrary library)
{
    public async ValueTask HandleAsync(HttpExchange exchange, string name)
    {
        if (!library.TryGet(name, out Video? video))
        {
            await exchange.SendErrorAsync(HttpStatus.NotFound, "no such video").ConfigureAwait(false);
            return;
        }

        if (video.Playlist is not { } playlist || video.PlaylistValidators is not { } validators)
        {
            string reason = video.ContentType != "video/mp2t" ? $"{name} is {video.ContentType}, not MPEG-TS: it plays progressively from /videos/{name}"
                : video.Index is null ? $"{name} has no keyframe index to cut segments by"
                : $"{name} is M2TS (192-byte packets), which HLS does not carry";
            await exchange.SendErrorAsync(HttpStatus.NotFound, "no HLS playlist: " + reason).ConfigureAwait(false);
            return;
        }

        if (await exchange.TryAnswerPreconditionsAsync(validators).ConfigureAwait(false))
        {
            return;
        }

        ReadOnlyMemory<byte> body = playlist.Utf8;
        if (exchange.Request.Query.Length > 0 && exchange.TryParseQuery(out IReadOnlyDictionary<string, string> query)
            && SignedViewerGate.QueryForLinks(query) is { Length: > 0 } signed)
        {
            body = playlist.Render(signed);
        }

        await exchange.SendContentAsync(HttpStatus.Ok, HlsEndpoint.PlaylistType, body, validators, static (head, validators) => validators.AddTo(head)).ConfigureAwait(false);
    }
}
