using MediaServer.Http;

namespace MediaServer.Endpoints;

/// <summary>
/// Maps a request to its endpoint by method and decoded path segments: 404 for an unknown path, 405 (with Allow) for a
/// known path and another method, 413 for a body on a request that takes none.
/// </summary>
internal sealed class Router(
    PageEndpoint page,
    VideoListEndpoint videoList,
    VideoFileEndpoint videoFile,
    VideoChunkEndpoint videoChunk,
    VideoPlaylistEndpoint videoPlaylist,
    LiveListEndpoint liveList,
    LiveViewEndpoint liveView,
    LivePublishEndpoint livePublish,
    HlsEndpoint hls) : IHttpHandler
{
    private const string ReadMethods = "GET, HEAD";
    private const string LiveMethods = "GET, HEAD, PUT";

    public async ValueTask HandleAsync(HttpExchange exchange)
    {
        HttpRequest request = exchange.Request;
        if (!RequestPath.TrySplit(request.Path, out string[] segments))
        {
            await exchange.SendErrorAsync(HttpStatus.BadRequest, "malformed percent-encoding in the path", close: true).ConfigureAwait(false);
            return;
        }

        // For each resource: what answers GET and HEAD, what answers PUT (the one method that takes a body), Allow, and the
        // route template (the metrics' http.route; none for an unknown path).
        (Func<HttpExchange, ValueTask>? read, Func<HttpExchange, ValueTask>? write, string allow, string? route) = segments switch
        {
            [""] => (page.HandleAsync, null, ReadMethods, "/"),
            ["hls.min.js"] => (page.HandleHlsScriptAsync, null, ReadMethods, "/hls.min.js"),
            ["videos"] => (videoList.HandleAsync, null, ReadMethods, "/videos"),
            ["videos", { Length: > 0 } name] => (e => videoFile.HandleAsync(e, name), null, ReadMethods, "/videos/{name}"),
            ["videos", { Length: > 0 } name, "chunk"] => (e => videoChunk.HandleAsync(e, name), null, ReadMethods, "/videos/{name}/chunk"),
            ["videos", { Length: > 0 } name, HlsEndpoint.PlaylistName] => (e => videoPlaylist.HandleAsync(e, name), null, ReadMethods, "/videos/{name}/" + HlsEndpoint.PlaylistName),
            ["live"] => (liveList.HandleAsync, null, ReadMethods, "/live"),
            ["live", { Length: > 0 } name] => (e => liveView.HandleAsync(e, name), e => livePublish.HandleAsync(e, name), LiveMethods, "/live/{name}"),
            ["live", { Length: > 0 } name, HlsEndpoint.PlaylistName] => (e => hls.HandlePlaylistAsync(e, name), null, ReadMethods, "/live/{name}/" + HlsEndpoint.PlaylistName),
            ["live", { Length: > 0 } name, { Length: > 0 } file] => (e => hls.HandleMediaAsync(e, name, file), null, ReadMethods, "/live/{name}/{file}"),
            _ => ((Func<HttpExchange, ValueTask>?)null, (Func<HttpExchange, ValueTask>?)null, string.Empty, (string?)null),
        };

        exchange.Route = route;
        if (read is null)
        {
            await RespondWithoutBodyAsync(exchange, static e => e.SendErrorAsync(HttpStatus.NotFound, "no such resource")).ConfigureAwait(false);
        }
        else if (request.Method is "GET" or "HEAD")
        {
            await RespondWithoutBodyAsync(exchange, read).ConfigureAwait(false);
        }
        else if (request.Method is "PUT" && write is not null)
        {
            await write(exchange).ConfigureAwait(false);
        }
        else
        {
            // An unread body would be taken for the next request: close after answering when there is one.
            await exchange.SendErrorAsync(HttpStatus.MethodNotAllowed, $"allowed: {allow}", close: request.HasBody, addFields: head => head.Add("Allow", allow)).ConfigureAwait(false);
        }
    }

    private static async ValueTask RespondWithoutBodyAsync(HttpExchange exchange, Func<HttpExchange, ValueTask> handler)
    {
        if (exchange.Request.HasBody)
        {
            await exchange.SendErrorAsync(HttpStatus.ContentTooLarge, "this resource takes no request body", close: true).ConfigureAwait(false);
            return;
        }

        await handler(exchange).ConfigureAwait(false);
    }
}
