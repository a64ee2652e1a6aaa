using System.Diagnostics;
using System.Runtime.CompilerServices;
using MediaServer.Http;

namespace MediaServer.Endpoints;

/// <summary>
/// Maps a request to its endpoint by method and decoded path segments, by the routes of <see cref="Routes"/>: 404 for an unknown path, 405 (with Allow) for a
/// known path and another method, 413 for a body on a request that takes none.
/// </summary>
internal sealed class Router : IHttpHandler
{
    private const string ReadMethods = "GET, HEAD";
    private const string ReadWriteMethods = "GET, HEAD, PUT";

    // For each route of Routes: what answers GET and HEAD, and what answers PUT (the one method that takes a body).
    private readonly Dictionary<Route, (RouteHandler Read, RouteHandler? Write)> _handlers;

    private delegate ValueTask RouteHandler(HttpExchange exchange, string name, string file);

    public Router(
        PageEndpoint page,
        VideoListEndpoint videoList,
        VideoFileEndpoint videoFile,
        VideoChunkEndpoint videoChunk,
        VideoPlaylistEndpoint videoPlaylist,
        LiveListEndpoint liveList,
        LiveViewEndpoint liveView,
        LivePublishEndpoint livePublish,
        HlsEndpoint hls)
    {
        _handlers = new()
        {
            [Routes.Page] = ((e, _, _) => page.HandleAsync(e), null),
            [Routes.HlsScript] = ((e, _, _) => page.HandleHlsScriptAsync(e), null),
            [Routes.VideoList] = ((e, _, _) => videoList.HandleAsync(e), null),
            [Routes.Video] = ((e, name, _) => videoFile.HandleAsync(e, name), null),
            [Routes.VideoChunk] = ((e, name, _) => videoChunk.HandleAsync(e, name), null),
            [Routes.VideoPlaylist] = ((e, name, _) => videoPlaylist.HandleAsync(e, name), null),
            [Routes.ChannelList] = ((e, _, _) => liveList.HandleAsync(e), null),
            [Routes.Channel] = ((e, name, _) => liveView.HandleAsync(e, name), (e, name, _) => livePublish.HandleAsync(e, name)),
            [Routes.ChannelPlaylist] = ((e, name, _) => hls.HandlePlaylistAsync(e, name), null),
            [Routes.ChannelMedia] = ((e, name, file) => hls.HandleMediaAsync(e, name, file), null),
        };
        Debug.Assert(Routes.All.All(_handlers.ContainsKey), "every route has a handler");
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask HandleAsync(HttpExchange exchange)
    {
        HttpRequest request = exchange.Request;
        RoutedPath routed = RoutedPath.Of(exchange);
        if (routed.IsMalformed)
        {
            await exchange.SendErrorAsync(HttpStatus.BadRequest, "malformed percent-encoding in the path", close: true).ConfigureAwait(false);
            return;
        }

        Route? route = routed.Route;
        exchange.Route = route?.Template; // The metrics' http.route; none for an unknown path.
        (RouteHandler Read, RouteHandler? Write) handlers = route is null ? default : _handlers[route];
        if (route is not null && request.Method is "PUT" && handlers.Write is not null)
        {
            await handlers.Write(exchange, routed.Name, routed.File).ConfigureAwait(false);
        }
        else if (request.HasBody && (route is null || request.Method is "GET" or "HEAD"))
        {
            await exchange.SendErrorAsync(HttpStatus.ContentTooLarge, "this resource takes no request body", close: true).ConfigureAwait(false);
        }
        else if (route is null)
        {
            await exchange.SendErrorAsync(HttpStatus.NotFound, "no such resource").ConfigureAwait(false);
        }
        else if (request.Method is "GET" or "HEAD")
        {
            await handlers.Read(exchange, routed.Name, routed.File).ConfigureAwait(false);
        }
        else
        {
            // An unread body would be taken for the next request: close after answering when there is one.
            string allow = handlers.Write is null ? ReadMethods : ReadWriteMethods;
            await exchange.SendErrorAsync(HttpStatus.MethodNotAllowed, $"allowed: {allow}", close: request.HasBody, addFields: head => head.Add("Allow", allow)).ConfigureAwait(false);
        }
    }
}
