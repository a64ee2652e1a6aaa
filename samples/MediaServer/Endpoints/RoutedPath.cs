using MediaServer.Http;

namespace MediaServer.Endpoints;

/// <summary>
/// The last path a connection's request was routed by, and what it matched: a player or load generator asks for the
/// same path again and again (another range of the same video), and is routed again without splitting and decoding
/// it anew. Kept in <see cref="HttpExchange.HandlerState"/>; the path is compared by reference, which holds because
/// the connection's <see cref="RecentStrings"/> give the same string for the same target.
/// </summary>
internal sealed class RoutedPath
{
    public string? Path { get; private set; }

    public Route? Route { get; private set; }

    public string Name { get; private set; } = string.Empty;

    public string File { get; private set; } = string.Empty;

    public void Set(string path, Route? route, string name, string file) => (Path, Route, Name, File) = (path, route, name, file);
}
