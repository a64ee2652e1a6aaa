using System.Globalization;

namespace MediaServer.Media;

/// <summary>
/// A SMPTE-style non-drop timecode <c>HH:MM:SS:FF</c>: hours, minutes, seconds and a frame number within the second,
/// counted at the video's frame rate.
/// </summary>
internal readonly record struct Timecode(int Hours, int Minutes, int Seconds, int Frames)
{
    /// <summary>Parses <c>HH:MM:SS:FF</c>: hours 1-3 digits, minutes and seconds 2 digits below 60, frames 1-3 digits.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out Timecode timecode)
    {
        timecode = default;
        Span<Range> parts = stackalloc Range[5];
        if (text.Split(parts, ':') != 4)
        {
            return false;
        }

        if (!TryParsePart(text[parts[0]], 1, 3, out int hours)
            || !TryParsePart(text[parts[1]], 2, 2, out int minutes) || minutes > 59
            || !TryParsePart(text[parts[2]], 2, 2, out int seconds) || seconds > 59
            || !TryParsePart(text[parts[3]], 1, 3, out int frames))
        {
            return false;
        }

        timecode = new Timecode(hours, minutes, seconds, frames);
        return true;
    }

    /// <summary>The whole seconds before the frame: <c>HH * 3600 + MM * 60 + SS</c>.</summary>
    public long TotalSeconds => (Hours * 3600L) + (Minutes * 60L) + Seconds;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Hours:00}:{Minutes:00}:{Seconds:00}:{Frames:00}");

    private static bool TryParsePart(ReadOnlySpan<char> part, int minDigits, int maxDigits, out int value)
    {
        value = 0;
        return part.Length >= minDigits && part.Length <= maxDigits && !part.ContainsAnyExceptInRange('0', '9')
            && int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }
}
