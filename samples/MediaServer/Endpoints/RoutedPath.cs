using MediaServer.Http;

namespace MediaServer.Endpoints;

/// <summary>
/// A request's path, split, decoded and matched against <see cref="Routes"/> once for everything in front of the endpoints
/// (the signed-viewer gate, then the router). Kept per connection in <see cref="HttpExchange.HandlerState"/>: a player or
/// load generator asks for the same path again and again (another range of the same video), and is routed again without
/// splitting and decoding it anew. The path is compared by reference, which holds because the connection's
/// <see cref="RecentStrings"/> give the same string for the same target.
/// </summary>
internal sealed class RoutedPath
{
    private string? _path;
    private string[] _segments = [];
    private string? _signedSubject; // Routes.TryGetSignedSubject's answer for _path, once asked: "" when none.

    /// <summary>Whether the path has a bad percent-escape (the router answers 400).</summary>
    public bool IsMalformed { get; private set; }

    /// <summary>The matched route, or <see langword="null"/> for an unknown or malformed path.</summary>
    public Route? Route { get; private set; }

    /// <summary>The route's <c>{name}</c>, or empty.</summary>
    public string Name { get; private set; } = string.Empty;

    /// <summary>The route's <c>{file}</c>, or empty.</summary>
    public string File { get; private set; } = string.Empty;

    /// <summary>The exchange's current request path, routed: the connection's last answer when the path is the same.</summary>
    public static RoutedPath Of(HttpExchange exchange)
    {
        if (exchange.HandlerState is not RoutedPath routed)
        {
            exchange.HandlerState = routed = new RoutedPath();
        }

        string path = exchange.Request.Path;
        if (!ReferenceEquals(routed._path, path))
        {
            routed.RouteAgain(path);
        }

        return routed;
    }

    /// <summary>
    /// The resource a signed URL must name for this path (<c>/videos/NAME</c>, <c>/live/NAME</c>: <see cref="Routes.TryGetSignedSubject"/>),
    /// worked out the first time it is asked for the path.
    /// </summary>
    public bool TryGetSignedSubject(out string subject)
    {
        _signedSubject ??= Routes.TryGetSignedSubject(_segments, out string found) ? found : string.Empty;
        subject = _signedSubject;
        return subject.Length > 0;
    }

    private void RouteAgain(string path)
    {
        _path = path;
        _signedSubject = null;
        IsMalformed = !RequestTarget.TrySplitPath(path, out string[] segments);
        if (IsMalformed)
        {
            (_segments, Route, Name, File) = ([], null, string.Empty, string.Empty); // Segments are decoded only up to the bad escape.
            return;
        }

        _segments = segments;
        Route = Routes.Match(segments, out string name, out string file);
        (Name, File) = (name, file);
    }
}
