using System.Globalization;

namespace MediaServer.Http;

/// <summary>
/// The IMF-fixdate (RFC 9110 section 5.6.7) for Date and Last-Modified, formatted once per second; and the HTTP-dates of
/// the date conditions, parsed.
/// </summary>
internal static class HttpDate
{
    private static readonly string[] s_formats = ["r", "dddd, dd'-'MMM'-'yy HH:mm:ss 'GMT'", "ddd MMM d HH:mm:ss yyyy"];
    private static Stamp s_current = new(0, string.Empty);

    /// <summary>Now, as an IMF-fixdate: <c>Sun, 06 Nov 1994 08:49:37 GMT</c>.</summary>
    public static string Now
    {
        get
        {
            DateTimeOffset now = DateTimeOffset.UtcNow;
            long second = now.ToUnixTimeSeconds();
            Stamp current = s_current; // One reference read: a race only formats the same second twice.
            if (current.Second != second)
            {
                current = new Stamp(second, Format(now));
                s_current = current;
            }

            return current.Text;
        }
    }

    /// <summary>Formats <paramref name="time"/> as an IMF-fixdate.</summary>
    public static string Format(DateTimeOffset time) => time.ToUniversalTime().ToString("r", CultureInfo.InvariantCulture);

    /// <summary>
    /// Parses an HTTP-date (RFC 9110 section 5.6.7) in any of the three forms a recipient must accept: the IMF-fixdate
    /// (<c>Sun, 06 Nov 1994 08:49:37 GMT</c>), the obsolete RFC 850 form (<c>Sunday, 06-Nov-94 08:49:37 GMT</c>) and
    /// asctime's (<c>Sun Nov  6 08:49:37 1994</c>). Never throws.
    /// </summary>
    /// <param name="text">The field value, or <see langword="null"/> when absent.</param>
    /// <param name="time">The date, in UTC, when it parsed.</param>
    /// <returns>Whether <paramref name="text"/> is an HTTP-date; a condition whose date is not is ignored.</returns>
    public static bool TryParse(string? text, out DateTimeOffset time) =>
        DateTimeOffset.TryParseExact(
            text.AsSpan().Trim(" \t"),
            s_formats,
            CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal | DateTimeStyles.AllowInnerWhite,
            out time);

    private sealed record Stamp(long Second, string Text);
}
