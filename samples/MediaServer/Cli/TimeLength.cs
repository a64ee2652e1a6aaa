using System.Globalization;

namespace MediaServer;

/// <summary>
/// Lengths of time on the command line: <c>90s</c>, <c>30min</c> (or <c>30m</c>), <c>2h</c>, <c>1h30m</c>, <c>1.5h</c>,
/// or <c>HH:MM:SS</c>.
/// </summary>
internal static class TimeLength
{
    /// <summary>Parses a positive length of time; never throws.</summary>
    public static bool TryParse(string text, out TimeSpan length)
    {
        length = TimeSpan.Zero;
        ReadOnlySpan<char> value = text.AsSpan().Trim();
        if (value.Contains(':'))
        {
            return TimeSpan.TryParseExact(value, @"h\:mm\:ss", CultureInfo.InvariantCulture, out length) && length > TimeSpan.Zero;
        }

        double seconds = 0;
        while (!value.IsEmpty)
        {
            int number = 0;
            while (number < value.Length && (char.IsAsciiDigit(value[number]) || value[number] == '.'))
            {
                number++;
            }

            int unit = number;
            while (unit < value.Length && char.IsAsciiLetter(value[unit]))
            {
                unit++;
            }

            if (number == 0 || !double.TryParse(value[..number], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double amount))
            {
                return false;
            }

            double scale = value[number..unit].ToString() switch
            {
                "s" or "sec" => 1,
                "m" or "min" => 60,
                "h" => 3600,
                _ => 0,
            };
            if (scale == 0)
            {
                return false;
            }

            seconds += amount * scale;
            value = value[unit..];
        }

        if (seconds <= 0 || seconds > TimeSpan.FromDays(365).TotalSeconds)
        {
            return false;
        }

        length = TimeSpan.FromSeconds(seconds);
        return true;
    }

    /// <summary>A human-readable length: <c>30 min</c>, <c>1.5 h</c>, <c>45 s</c>.</summary>
    public static string Format(TimeSpan length) => length.TotalSeconds switch
    {
        >= 3600 => string.Create(CultureInfo.InvariantCulture, $"{length.TotalHours:0.#} h"),
        >= 60 => string.Create(CultureInfo.InvariantCulture, $"{length.TotalMinutes:0.#} min"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{length.TotalSeconds:0.#} s"),
    };
}
