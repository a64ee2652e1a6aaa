using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using MediaServer.Http;

namespace MediaServer.Endpoints;

/// <summary>
/// GET / : the player page (compiled into the program), which lists the videos and live channels through the JSON
/// endpoints; GET /hls.min.js : the pinned hls.js it plays live channels with where the browser has no HLS of its own.
/// The page spells no path of its own: each <c>{{route:KEY}}</c> in it is replaced, once at load, by the template of
/// the <see cref="Route"/> with that <see cref="Route.Key"/>.
/// </summary>
internal sealed class PageEndpoint
{
    private static readonly Regex s_routeReference = new(@"\{\{route:(\w+)\}\}", RegexOptions.CultureInvariant);

    private readonly byte[] _page = Encoding.UTF8.GetBytes(WithRoutes(Encoding.UTF8.GetString(Load("MediaServer.index.html"))));

    private readonly byte[] _hlsScript = Load("MediaServer.hls.min.js");

    public ValueTask HandleAsync(HttpExchange exchange) =>
        exchange.SendContentAsync(HttpStatus.Ok, "text/html; charset=utf-8", _page, static head => head.Add("Cache-Control", "no-cache"));

    public ValueTask HandleHlsScriptAsync(HttpExchange exchange) =>
        exchange.SendContentAsync(HttpStatus.Ok, "text/javascript; charset=utf-8", _hlsScript, static head => head.Add("Cache-Control", "public, max-age=3600"));

    /// <summary>The page with each <c>{{route:KEY}}</c> replaced by that route's template.</summary>
    /// <exception cref="InvalidOperationException">The page names a route that does not exist.</exception>
    internal static string WithRoutes(string page) => s_routeReference.Replace(page, match =>
        Routes.All.FirstOrDefault(route => route.Key == match.Groups[1].Value)?.Template
            ?? throw new InvalidOperationException($"the page names the route '{match.Groups[1].Value}', which Routes does not declare"));

    private static byte[] Load(string name)
    {
        using Stream stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"the page resource {name} is missing from the assembly");
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return memory.ToArray();
    }
}
