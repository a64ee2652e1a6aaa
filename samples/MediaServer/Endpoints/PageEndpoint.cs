using System.Reflection;
using MediaServer.Http;

namespace MediaServer.Endpoints;

/// <summary>GET / : the player page (compiled into the program), which lists the videos and live channels through the JSON endpoints.</summary>
internal sealed class PageEndpoint
{
    private readonly byte[] _page = LoadPage();

    public ValueTask HandleAsync(HttpExchange exchange) =>
        exchange.SendContentAsync(HttpStatus.Ok, "text/html; charset=utf-8", _page, static head => head.Add("Cache-Control", "no-cache"));

    private static byte[] LoadPage()
    {
        using Stream stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("MediaServer.index.html")
            ?? throw new InvalidOperationException("the page resource MediaServer.index.html is missing from the assembly");
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return memory.ToArray();
    }
}
