namespace MediaServer.Http;

/// <summary>Entity-tag comparisons for conditional requests (RFC 9110 section 8.8.3 and 13.1.2).</summary>
internal static class EntityTag
{
    /// <summary>
    /// Whether an <c>If-None-Match</c> value names <paramref name="etag"/>: <c>*</c>, or a comma-separated list holding it
    /// by the weak comparison (a <c>W/</c> prefix on either side is ignored). O(length of the value), no allocation.
    /// </summary>
    /// <param name="ifNoneMatch">The field value, or <see langword="null"/> when absent (never matches).</param>
    /// <param name="etag">The representation's current entity-tag, quoted (<c>"abc"</c>).</param>
    public static bool IfNoneMatchMatches(string? ifNoneMatch, string etag)
    {
        if (ifNoneMatch is null)
        {
            return false;
        }

        ReadOnlySpan<char> current = StripWeak(etag.AsSpan());
        foreach (Range part in ifNoneMatch.AsSpan().Split(','))
        {
            ReadOnlySpan<char> tag = ifNoneMatch.AsSpan()[part].Trim(" \t");
            if (tag is "*" || StripWeak(tag).SequenceEqual(current))
            {
                return true;
            }
        }

        return false;
    }

    private static ReadOnlySpan<char> StripWeak(ReadOnlySpan<char> tag) => tag.StartsWith("W/", StringComparison.Ordinal) ? tag[2..] : tag;
}
