namespace MediaServer.Endpoints;

/// <summary>
/// One resource of the server's URL space: a template of literal segments and placeholders, <c>{name}</c> (a video or
/// channel) and <c>{file}</c> (a live segment or part), each one whole, non-empty, percent-decoded segment. Declared
/// once in <see cref="Routes"/>; the router matches by it, the metrics report it (<c>http.route</c>), the signed-viewer
/// gate and the token command take their subjects from it, and the page is given its templates.
/// </summary>
internal sealed class Route
{
    private const string NamePlaceholder = "{name}";
    private const string FilePlaceholder = "{file}";

    private readonly string[] _segments; // The template's segments after the leading '/': "/" is one empty segment.

    /// <param name="key">What the page calls it (<c>{{route:KEY}}</c>).</param>
    /// <param name="template">The template, starting with '/'.</param>
    public Route(string key, string template)
    {
        Key = key;
        Template = template;
        _segments = template[1..].Split('/');
    }

    /// <summary>What the page calls the route.</summary>
    public string Key { get; }

    /// <summary>The template: <c>/videos/{name}/chunk</c>.</summary>
    public string Template { get; }

    /// <summary>Whether <paramref name="segments"/> (decoded, <see cref="Http.RequestTarget"/>) are exactly this route.</summary>
    /// <param name="name">The <c>{name}</c> segment, or empty.</param>
    /// <param name="file">The <c>{file}</c> segment, or empty.</param>
    public bool TryMatch(string[] segments, out string name, out string file)
    {
        bool prefix = TryMatchPrefix(segments, out name, out file);
        return prefix && segments.Length == _segments.Length;
    }

    /// <summary>Whether <paramref name="segments"/> start with this route's: <c>/videos/clip.mp4/chunk</c> lies below <c>/videos/{name}</c>.</summary>
    public bool TryMatchPrefix(string[] segments, out string name, out string file)
    {
        name = file = string.Empty;
        if (segments.Length < _segments.Length)
        {
            return false;
        }

        for (int i = 0; i < _segments.Length; i++)
        {
            switch (_segments[i])
            {
                case NamePlaceholder when segments[i].Length > 0:
                    name = segments[i];
                    break;
                case FilePlaceholder when segments[i].Length > 0:
                    file = segments[i];
                    break;
                case string literal when literal == segments[i] && literal is not (NamePlaceholder or FilePlaceholder):
                    break;
                default:
                    return false;
            }
        }

        return true;
    }

    /// <summary>The path of this route for <paramref name="name"/> (and <paramref name="file"/>), each percent-encoded: a URL to hand out.</summary>
    public string Path(string name = "", string file = "") =>
        Template.Replace(NamePlaceholder, Uri.EscapeDataString(name), StringComparison.Ordinal).Replace(FilePlaceholder, Uri.EscapeDataString(file), StringComparison.Ordinal);

    /// <summary>The path of this route for a decoded <paramref name="name"/>, not encoded: what a signed token's subject is.</summary>
    public string Subject(string name) => Template.Replace(NamePlaceholder, name, StringComparison.Ordinal);

    public override string ToString() => Template;
}
