namespace MediaServer.Http;

/// <summary>
/// A request path split into segments, each percent-decoded on its own: <c>/videos/a%2Fb</c> is the two segments
/// <c>videos</c> and <c>a/b</c>, so an encoded slash never becomes a separator. Names found this way are only ever
/// looked up in the server's own tables, never joined to a file-system path. Escapes follow <see cref="QueryString"/>'s
/// rules, except that <c>+</c> stays a plus.
/// </summary>
internal static class RequestPath
{
    /// <summary>Splits and decodes <paramref name="path"/> (which starts with '/').</summary>
    /// <param name="path">The raw request path, without the query.</param>
    /// <param name="segments">The decoded segments: <c>/</c> gives one empty segment, <c>/videos/</c> gives <c>videos</c> and an empty one.</param>
    /// <returns><see langword="false"/> when a percent escape is malformed (400); a segment that is not UTF-8 decodes with replacement characters, which match no name.</returns>
    public static bool TrySplit(string path, out string[] segments)
    {
        string[] raw = path[1..].Split('/');
        segments = new string[raw.Length];
        for (int i = 0; i < raw.Length; i++)
        {
            if (!QueryString.TryDecode(raw[i], out segments[i]))
            {
                return false;
            }
        }

        return true;
    }
}
