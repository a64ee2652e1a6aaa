using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Headers;
using Microsoft.Net.Http.Headers;

namespace ZeroCopy.AspNetCore;

/// <summary>
/// Which bytes of a representation a request gets (RFC 9110 §14.2, §13.1.5): all of them (200), one range (206), or
/// none because the range cannot be satisfied (416). Decided from ASP.NET Core's parsed <c>Range</c> and <c>If-Range</c>.
/// </summary>
internal readonly struct ByteRangeSelection
{
    private ByteRangeSelection(bool isSatisfiable, bool isPartial, long offset, long length)
    {
        IsSatisfiable = isSatisfiable;
        IsPartial = isPartial;
        Offset = offset;
        Length = length;
    }

    /// <summary>Whether there is something to send; <see langword="false"/> means 416.</summary>
    public bool IsSatisfiable { get; }

    /// <summary>Whether one range of the representation is sent (206) rather than all of it (200).</summary>
    public bool IsPartial { get; }

    /// <summary>The representation offset of the first byte sent.</summary>
    public long Offset { get; }

    /// <summary>How many bytes are sent.</summary>
    public long Length { get; }

    /// <summary>The last byte sent, for <c>Content-Range</c>; meaningful when <see cref="Length"/> is positive.</summary>
    public long Last => Offset + Length - 1;

    /// <summary>Decides what a request gets of a representation of <paramref name="length"/> bytes. O(1), no allocation.</summary>
    /// <param name="request">The request (its method and raw <c>If-Range</c>).</param>
    /// <param name="headers">The request's typed headers.</param>
    /// <param name="length">The representation's length.</param>
    /// <param name="entityTag">The representation's entity tag, if any.</param>
    /// <param name="lastModified">The representation's last-modified time at whole seconds, if known.</param>
    /// <returns>The selection.</returns>
    public static ByteRangeSelection Select(HttpRequest request, RequestHeaders headers, long length, EntityTagHeaderValue? entityTag, DateTimeOffset? lastModified)
    {
        var whole = new ByteRangeSelection(isSatisfiable: true, isPartial: false, 0, length);

        // Range is defined for GET, and HEAD is GET without the body (RFC 9110 section 9.3.2): a HEAD with a Range gets
        // the head a GET would, 206 and Content-Range, as from nginx and the media server sample. A header that does not
        // parse is null here and ignored, as the RFC says.
        if (!(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)) || headers.Range is not { } range)
        {
            return whole;
        }

        // One bytes range, or the whole representation: no multipart/byteranges, like ASP.NET Core's own files.
        if (!string.Equals(range.Unit.Value, "bytes", StringComparison.OrdinalIgnoreCase) || range.Ranges.Count != 1)
        {
            return whole;
        }

        if (!IfRangeHolds(request, headers, entityTag, lastModified))
        {
            return whole;
        }

        RangeItemHeaderValue item = range.Ranges.First();
        if (item.From is { } from)
        {
            if (from >= length)
            {
                return default; // Starts at or past the end: not satisfiable.
            }

            long last = item.To is { } to && to < length - 1 ? to : length - 1;
            return new ByteRangeSelection(isSatisfiable: true, isPartial: true, from, last - from + 1);
        }

        // A suffix range: the last n bytes, all of them when n exceeds the length.
        long suffix = item.To ?? 0;
        if (suffix == 0 || length == 0)
        {
            return default;
        }

        long count = Math.Min(suffix, length);
        return new ByteRangeSelection(isSatisfiable: true, isPartial: true, length - count, count);
    }

    /// <summary>
    /// Whether <c>If-Range</c> lets the range through (RFC 9110 §13.1.5): absent, or a strong tag that strongly matches,
    /// or a date equal to <c>Last-Modified</c>. A value that does not parse does not.
    /// </summary>
    private static bool IfRangeHolds(HttpRequest request, RequestHeaders headers, EntityTagHeaderValue? entityTag, DateTimeOffset? lastModified)
    {
        if (!request.Headers.ContainsKey(HeaderNames.IfRange))
        {
            return true;
        }

        return headers.IfRange switch
        {
            { EntityTag: { } tag } => entityTag is not null && tag.Compare(entityTag, useStrongComparison: true),
            { LastModified: { } date } => lastModified == date,
            _ => false,
        };
    }
}
