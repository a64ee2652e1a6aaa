using System.Globalization;

namespace MediaServer.Http;

/// <summary>What a Range header asks of a representation of known size.</summary>
internal enum RangeRequest
{
    /// <summary>No Range, or one the server ignores (invalid, several ranges, another unit): send the whole representation (200).</summary>
    Whole,

    /// <summary>One satisfiable range: send it (206).</summary>
    Partial,

    /// <summary>A valid range that lies outside the representation: 416 with <c>Content-Range: bytes */size</c>.</summary>
    Unsatisfiable,
}

/// <summary>
/// Parses a Range header (RFC 9110 section 14) with a single <c>bytes</c> range: <c>bytes=a-b</c>, <c>bytes=a-</c>,
/// <c>bytes=-n</c>. Anything else valid-looking but unsupported (several ranges) is ignored, as the RFC allows.
/// </summary>
internal static class RangeHeader
{
    /// <summary>Evaluates <paramref name="header"/> against a representation of <paramref name="size"/> bytes.</summary>
    /// <param name="header">The Range field value, or <see langword="null"/> when absent.</param>
    /// <param name="size">The representation's length in bytes.</param>
    /// <param name="range">The range to send when the result is <see cref="RangeRequest.Partial"/>.</param>
    /// <returns>Whether to send the whole representation, one range, or 416.</returns>
    public static RangeRequest Evaluate(string? header, long size, out ByteRange range)
    {
        range = default;
        if (header is null)
        {
            return RangeRequest.Whole;
        }

        ReadOnlySpan<char> value = header.AsSpan().Trim();
        if (!value.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase))
        {
            return RangeRequest.Whole; // Another unit, or garbage: ignore the header.
        }

        value = value["bytes=".Length..].Trim();
        if (value.Contains(','))
        {
            return RangeRequest.Whole; // Several ranges: ignored, the whole representation is a valid answer.
        }

        int dash = value.IndexOf('-');
        if (dash < 0)
        {
            return RangeRequest.Whole;
        }

        ReadOnlySpan<char> first = value[..dash].Trim();
        ReadOnlySpan<char> last = value[(dash + 1)..].Trim();
        if (first.IsEmpty)
        {
            // bytes=-n: the last n bytes; n = 0 can never be satisfied.
            if (!TryParseDigits(last, out long suffix))
            {
                return RangeRequest.Whole;
            }

            if (suffix == 0 || size == 0)
            {
                return RangeRequest.Unsatisfiable;
            }

            long length = Math.Min(suffix, size);
            range = new ByteRange(size - length, length);
            return RangeRequest.Partial;
        }

        if (!TryParseDigits(first, out long offset))
        {
            return RangeRequest.Whole;
        }

        long end;
        if (last.IsEmpty)
        {
            end = size - 1;
        }
        else if (!TryParseDigits(last, out end) || end < offset)
        {
            return RangeRequest.Whole; // bytes=5-2 is invalid, so the header is ignored.
        }

        if (offset >= size)
        {
            return RangeRequest.Unsatisfiable; // VLC asks for bytes=<size>- at the end of a file.
        }

        range = new ByteRange(offset, Math.Min(end, size - 1) - offset + 1);
        return RangeRequest.Partial;
    }

    /// <summary>
    /// Parses a run of ASCII digits of any length. A number beyond <see cref="long.MaxValue"/> is still a valid position
    /// (RFC 9110 puts no bound on it), only one past any representation: it saturates to <see cref="long.MaxValue"/>, so
    /// a huge first position is unsatisfiable and a huge last position or suffix reaches the end.
    /// </summary>
    private static bool TryParseDigits(ReadOnlySpan<char> digits, out long value)
    {
        value = 0;
        if (digits.IsEmpty || digits.ContainsAnyExceptInRange('0', '9'))
        {
            return false;
        }

        digits = digits.TrimStart('0');
        if (digits.Length > 18)
        {
            value = long.MaxValue;
            return true;
        }

        return digits.IsEmpty || long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }
}
