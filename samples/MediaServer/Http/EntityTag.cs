namespace MediaServer.Http;

/// <summary>
/// Entity tags in conditional requests (RFC 9110 sections 8.8.3 and 13.1): the lists of <c>If-Match</c> and
/// <c>If-None-Match</c>, and the one tag of <c>If-Range</c>, compared with a representation's current tag, which is
/// always strong here (<see cref="Validators"/>).
/// </summary>
internal static class EntityTag
{
    /// <summary>
    /// Compares a tag-list field (<c>If-Match</c>, <c>If-None-Match</c>: <c>*</c> or a comma-separated list of entity
    /// tags) with <paramref name="current"/>. <c>*</c> matches, since the representation exists. A field that is absent
    /// or not such a list does not apply, as ASP.NET Core's typed headers ignore it (ZeroCopy.AspNetCore reads those).
    /// O(length of the value), no allocation.
    /// </summary>
    /// <param name="field">The field value, or <see langword="null"/> when absent.</param>
    /// <param name="current">The representation's current tag, strong and quoted (<c>"abc"</c>).</param>
    /// <param name="useStrongComparison">
    /// <see langword="true"/> for <c>If-Match</c>: a weak tag never matches; <see langword="false"/> for
    /// <c>If-None-Match</c>: the tags match when their quoted parts are equal, <c>W/</c> or not.
    /// </param>
    /// <param name="matches">Whether some member of the list matches; <see langword="false"/> when the field does not apply.</param>
    /// <returns>Whether the field applies: present and a valid list of at least one member.</returns>
    public static bool TryMatchList(string? field, string current, bool useStrongComparison, out bool matches)
    {
        matches = false;
        if (field is null)
        {
            return false;
        }

        ReadOnlySpan<char> rest = field.AsSpan();
        bool any = false;
        while (true)
        {
            rest = rest.TrimStart(" \t,"); // the list rule allows empty members
            if (rest.IsEmpty)
            {
                return any;
            }

            ReadOnlySpan<char> member;
            if (rest[0] == '*')
            {
                member = rest[..1];
            }
            else if (!TryTakeTag(rest, out member))
            {
                matches = false;
                return false;
            }

            rest = rest[member.Length..].TrimStart(" \t");
            if (!rest.IsEmpty && rest[0] != ',')
            {
                matches = false;
                return false; // "a" "b", or garbage after a tag
            }

            any = true;
            matches |= member is "*" || (useStrongComparison ? StrongEquals(member, current) : WeakEquals(member, current));
        }
    }

    /// <summary>Whether an <c>If-Range</c> value is an entity tag (<c>"…"</c> or <c>W/"…"</c>) rather than a date. O(1).</summary>
    public static bool IsTag(ReadOnlySpan<char> value) => value.StartsWith('"') || value.StartsWith("W/", StringComparison.Ordinal);

    /// <summary>
    /// The strong comparison (RFC 9110 section 8.8.3.2): neither tag weak, and the same characters. With a strong
    /// <paramref name="current"/>, that is ordinal equality. O(length), no allocation.
    /// </summary>
    public static bool StrongEquals(ReadOnlySpan<char> tag, string current) => tag.SequenceEqual(current);

    /// <summary>The weak comparison: the quoted parts are equal, whether either tag is weak or not. O(length), no allocation.</summary>
    public static bool WeakEquals(ReadOnlySpan<char> tag, string current) => StripWeak(tag).SequenceEqual(StripWeak(current));

    /// <summary>Takes the entity tag at the start of <paramref name="text"/>: <c>[W/]"etagc*"</c>, where etagc is any visible character but the quote, or obs-text.</summary>
    private static bool TryTakeTag(ReadOnlySpan<char> text, out ReadOnlySpan<char> tag)
    {
        tag = default;
        int open = text.StartsWith("W/", StringComparison.Ordinal) ? 2 : 0;
        if (text.Length <= open || text[open] != '"')
        {
            return false;
        }

        int close = text[(open + 1)..].IndexOf('"');
        if (close < 0)
        {
            return false;
        }

        ReadOnlySpan<char> opaque = text.Slice(open + 1, close);
        if (opaque.ContainsAnyInRange('\0', ' ') || opaque.Contains('\x7f'))
        {
            return false;
        }

        tag = text[..(open + close + 2)];
        return true;
    }

    private static ReadOnlySpan<char> StripWeak(ReadOnlySpan<char> tag) => tag.StartsWith("W/", StringComparison.Ordinal) ? tag[2..] : tag;
}
