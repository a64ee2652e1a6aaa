using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using MediaServer.AccessControl;
using MediaServer.Http;

namespace MediaServer.Endpoints;

/// <summary>
/// GET / : the player page (compiled into the program), which lists the videos and live channels through the JSON
/// endpoints; GET /hls.min.js : the pinned hls.js it plays live channels with where the browser has no HLS of its own.
/// The page spells no path or query name of its own: each <c>{{route:KEY}}</c> in it is replaced, once at load, by the
/// template of the <see cref="Route"/> with that <see cref="Route.Key"/>, and <c>{{signed:expires}}</c> and
/// <c>{{signed:token}}</c> by the query names of a signed URL (<see cref="SignedToken"/>).
/// </summary>
internal sealed class PageEndpoint
{
    private static readonly Regex s_reference = new(@"\{\{(route|signed):(\w+)\}\}", RegexOptions.CultureInvariant);

    private readonly byte[] _page = Encoding.UTF8.GetBytes(WithRoutes(Encoding.UTF8.GetString(Load("MediaServer.index.html"))));

    private readonly byte[] _hlsScript = Load("MediaServer.hls.min.js");

    public ValueTask HandleAsync(HttpExchange exchange) =>
        exchange.SendContentAsync(HttpStatus.Ok, "text/html; charset=utf-8", _page, static head => head.Add("Cache-Control", "no-cache"));

    public ValueTask HandleHlsScriptAsync(HttpExchange exchange) =>
        exchange.SendContentAsync(HttpStatus.Ok, "text/javascript; charset=utf-8", _hlsScript, static head => head.Add("Cache-Control", "public, max-age=3600"));

    /// <summary>The page with each <c>{{route:KEY}}</c> replaced by that route's template, each <c>{{signed:NAME}}</c> by that query name.</summary>
    /// <exception cref="InvalidOperationException">The page names a route or a signed URL's name that does not exist.</exception>
    internal static string WithRoutes(string page) => s_reference.Replace(page, match => (match.Groups[1].Value, match.Groups[2].Value) switch
    {
        ("signed", "expires") => SignedToken.ExpiresName,
        ("signed", "token") => SignedToken.TokenName,
        ("signed", string name) => throw new InvalidOperationException($"the page names the signed URL's '{name}', which SignedToken does not have"),
        (_, string key) => Routes.All.FirstOrDefault(route => route.Key == key)?.Template
            ?? throw new InvalidOperationException($"the page names the route '{key}', which Routes does not declare"),
    });

    private static byte[] Load(string name)
    {
        using Stream stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"the page resource {name} is missing from the assembly");
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return memory.ToArray();
    }
}
