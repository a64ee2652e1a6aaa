using System.Reflection;
using MediaServer.Http;

namespace MediaServer.Endpoints;

/// <summary>
/// GET / : the player page (compiled into the program), which lists the videos and live channels through the JSON
/// endpoints; GET /hls.min.js : the pinned hls.js it plays live channels with where the browser has no HLS of its own.
/// </summary>
internal sealed class PageEndpoint
{
    private readonly byte[] _page = Load("MediaServer.index.html");
    private readonly byte[] _hlsScript = Load("MediaServer.hls.min.js");

    public ValueTask HandleAsync(HttpExchange exchange) =>
        exchange.SendContentAsync(HttpStatus.Ok, "text/html; charset=utf-8", _page, static head => head.Add("Cache-Control", "no-cache"));

    public ValueTask HandleHlsScriptAsync(HttpExchange exchange) =>
        exchange.SendContentAsync(HttpStatus.Ok, "text/javascript; charset=utf-8", _hlsScript, static head => head.Add("Cache-Control", "public, max-age=3600"));

    private static byte[] Load(string name)
    {
        using Stream stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"the page resource {name} is missing from the assembly");
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return memory.ToArray();
    }
}
