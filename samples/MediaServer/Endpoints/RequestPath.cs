using System.Text;

namespace MediaServer.Endpoints;

/// <summary>
/// A request path split into segments, each percent-decoded on its own: <c>/videos/a%2Fb</c> is the two segments
/// <c>videos</c> and <c>a/b</c>, so an encoded slash never becomes a separator. Names found this way are only ever
/// looked up in the server's own tables, never joined to a file-system path.
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
            if (!TryDecode(raw[i], out segments[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Percent-decodes one segment or query component (UTF-8); <paramref name="plusIsSpace"/> for query values.</summary>
    public static bool TryDecode(string text, out string decoded, bool plusIsSpace = false)
    {
        if (!text.Contains('%', StringComparison.Ordinal) && !(plusIsSpace && text.Contains('+', StringComparison.Ordinal)))
        {
            decoded = text;
            return true;
        }

        decoded = string.Empty;
        var bytes = new List<byte>(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '%')
            {
                if (i + 2 >= text.Length || !char.IsAsciiHexDigit(text[i + 1]) || !char.IsAsciiHexDigit(text[i + 2]))
                {
                    return false;
                }

                bytes.Add(Convert.FromHexString(text.AsSpan(i + 1, 2))[0]);
                i += 2;
            }
            else
            {
                bytes.Add(plusIsSpace && c == '+' ? (byte)' ' : (byte)c); // The request line is ASCII.
            }
        }

        decoded = Encoding.UTF8.GetString([.. bytes]);
        return true;
    }

    /// <summary>Parses a query string into decoded name/value pairs; <see langword="false"/> on a bad escape or a repeated name.</summary>
    public static bool TryParseQuery(string query, out Dictionary<string, string> values)
    {
        values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int equals = pair.IndexOf('=', StringComparison.Ordinal);
            string rawName = equals < 0 ? pair : pair[..equals];
            string rawValue = equals < 0 ? string.Empty : pair[(equals + 1)..];
            if (!TryDecode(rawName, out string name, plusIsSpace: true) || !TryDecode(rawValue, out string value, plusIsSpace: true) || !values.TryAdd(name, value))
            {
                return false;
            }
        }

        return true;
    }
}
