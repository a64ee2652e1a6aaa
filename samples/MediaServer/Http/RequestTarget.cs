using System.Text;

namespace MediaServer.Http;

/// <summary>
/// The request target of origin form (<c>/path?query</c>, RFC 9112 §3.2.1), read in one place: the path split into
/// decoded segments (<see cref="TrySplitPath"/>), and the one query-string parser of the server (<see cref="TryParseQuery"/>)
/// for the endpoints' queries (<c>?t=</c>, <c>?size=</c>), the signed viewer URLs and the publishers' credentials (a PUT's
/// query or the raw TCP ingest's first line).
/// <para>
/// The path: split at <c>/</c>, then each segment percent-decoded on its own, so <c>/videos/a%2Fb</c> is the two segments
/// <c>videos</c> and <c>a/b</c> and an encoded slash never becomes a separator. Names found this way are only ever looked
/// up in the server's own tables, never joined to a file-system path. A malformed escape is a 400.
/// </para>
/// The query's rules:
/// <list type="bullet">
/// <item>Pairs are separated by <c>&amp;</c>; an empty pair (<c>a=1&amp;&amp;b=2</c>) is skipped. A pair's name runs to its
/// first <c>=</c> and its value is the rest (which may hold more <c>=</c>); a pair with no <c>=</c> has an empty value.</item>
/// <item>Names and values are percent-decoded as RFC 3986 §2.1 writes an escape: <c>%</c> and two hex digits (either
/// case). A <c>%</c> not followed by two hex digits makes the whole query malformed; it is never passed through as
/// written. The decoded bytes are read as UTF-8 (bytes that are not UTF-8 become U+FFFD, which matches no name or key).</item>
/// <item><c>+</c> is a space, as HTML forms and <c>URLSearchParams</c> encode one (RFC 3986 gives <c>+</c> no meaning
/// of its own in a query); a literal plus is sent as <c>%2B</c>. In a path segment <c>+</c> stays a plus.</item>
/// <item>A character outside visible ASCII (0x21–0x7E) makes the query malformed: RFC 3986 allows none unescaped.</item>
/// <item>A name that appears twice (after decoding) makes the query malformed: no rule picks the first or the last, so
/// <c>expires=…&amp;expires=…</c> or <c>token=…&amp;token=…</c> is refused rather than read two ways by two readers.</item>
/// </list>
/// Names compare ordinally (case-sensitive). A malformed query is answered by its reader: 400 from an endpoint, 403
/// from the signed-viewer gate, <see cref="AccessControl.CredentialCheck.Invalid"/> for a publisher.
/// </summary>
internal static class RequestTarget
{
    private static readonly IReadOnlyDictionary<string, string> s_noQuery = new Dictionary<string, string>();

    /// <summary>Splits and decodes <paramref name="path"/> (which starts with '/').</summary>
    /// <param name="path">The raw request path, without the query.</param>
    /// <param name="segments">The decoded segments: <c>/</c> gives one empty segment, <c>/videos/</c> gives <c>videos</c> and an empty one.</param>
    /// <returns><see langword="false"/> when a percent escape is malformed (400); a segment that is not UTF-8 decodes with replacement characters, which match no name.</returns>
    public static bool TrySplitPath(string path, out string[] segments)
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

    /// <summary>Parses <paramref name="query"/> (without the <c>?</c>) into decoded name/value pairs. O(query length).</summary>
    /// <param name="query">The raw query.</param>
    /// <param name="values">The decoded pairs by name; empty for an empty query.</param>
    /// <param name="reuse">A connection's dictionary to clear and fill instead of a new one (<see cref="HttpExchange.TryParseQuery"/>); valid until the next parse.</param>
    /// <param name="strings">A connection's recent strings, so that a name or value sent before is not a new string.</param>
    /// <returns><see langword="false"/> when the query is malformed (a bad escape, a character outside visible ASCII, a repeated name).</returns>
    public static bool TryParseQuery(string query, out IReadOnlyDictionary<string, string> values, Dictionary<string, string>? reuse = null, RecentStrings? strings = null)
    {
        if (query.Length == 0)
        {
            values = s_noQuery; // The common case, a request without a query, allocates nothing.
            return true;
        }

        Dictionary<string, string> parsed = reuse ?? new Dictionary<string, string>(StringComparer.Ordinal);
        parsed.Clear();
        values = parsed;
        if (query.AsSpan().IndexOfAnyExceptInRange('!', '~') >= 0)
        {
            return false;
        }

        foreach (Range range in query.AsSpan().Split('&'))
        {
            ReadOnlySpan<char> pair = query.AsSpan(range);
            if (pair.IsEmpty)
            {
                continue;
            }

            int equals = pair.IndexOf('=');
            ReadOnlySpan<char> rawName = equals < 0 ? pair : pair[..equals];
            ReadOnlySpan<char> rawValue = equals < 0 ? [] : pair[(equals + 1)..];
            if (!TryDecode(rawName, out string name, plusIsSpace: true, strings) || !TryDecode(rawValue, out string value, plusIsSpace: true, strings) || !parsed.TryAdd(name, value))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Percent-decodes one path segment or query component (UTF-8); <paramref name="plusIsSpace"/> for a query.</summary>
    /// <returns><see langword="false"/> on a malformed escape.</returns>
    public static bool TryDecode(string text, out string decoded, bool plusIsSpace = false)
    {
        if (!text.Contains('%', StringComparison.Ordinal) && !(plusIsSpace && text.Contains('+', StringComparison.Ordinal)))
        {
            decoded = text;
            return true;
        }

        return TryDecode(text.AsSpan(), out decoded, plusIsSpace, strings: null);
    }

    /// <summary>
    /// Percent-decodes <paramref name="text"/> as <see cref="TryDecode(string, out string, bool)"/> does; a component with
    /// nothing to decode comes from <paramref name="strings"/> when given (no new string for one sent before).
    /// </summary>
    private static bool TryDecode(ReadOnlySpan<char> text, out string decoded, bool plusIsSpace, RecentStrings? strings)
    {
        decoded = string.Empty;
        if (!text.Contains('%') && !(plusIsSpace && text.Contains('+')))
        {
            decoded = text.IsEmpty ? string.Empty : strings?.Get(text) ?? text.ToString();
            return true;
        }

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

                bytes.Add(Convert.FromHexString(text.Slice(i + 1, 2))[0]);
                i += 2;
            }
            else
            {
                bytes.Add(plusIsSpace && c == '+' ? (byte)' ' : (byte)c); // The request line is ASCII; a query is checked to be.
            }
        }

        decoded = Encoding.UTF8.GetString([.. bytes]);
        return true;
    }

    /// <summary>
    /// <paramref name="query"/> as written, with the value of each pair named one of <paramref name="secretNames"/> (once
    /// decoded by <see cref="TryParseQuery"/>'s rules, so <c>%6Bey=</c> is a <c>key</c>) replaced by <c>***</c>; a pair whose
    /// name does not decode is masked too. For logs: what a credential's reader would take is never written out.
    /// </summary>
    public static string MaskQuery(string query, params ReadOnlySpan<string> secretNames)
    {
        string[] pairs = query.Split('&');
        for (int i = 0; i < pairs.Length; i++)
        {
            int equals = pairs[i].IndexOf('=', StringComparison.Ordinal);
            if (equals >= 0 && (!TryDecode(pairs[i][..equals], out string name, plusIsSpace: true) || secretNames.Contains(name)))
            {
                pairs[i] = pairs[i][..(equals + 1)] + "***";
            }
        }

        return string.Join('&', pairs);
    }
}
