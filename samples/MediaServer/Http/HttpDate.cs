using System.Globalization;

namespace MediaServer.Http;

/// <summary>The IMF-fixdate (RFC 9110 section 5.6.7) for Date and Last-Modified, formatted once per second.</summary>
internal static class HttpDate
{
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

    private sealed record Stamp(long Second, string Text);
}
