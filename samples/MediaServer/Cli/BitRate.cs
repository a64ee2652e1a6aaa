using System.Globalization;

namespace MediaServer;

/// <summary>
/// Bit rates on the command line, in bits per second with SI prefixes as encoders write them: <c>8000000</c>, <c>8M</c>,
/// <c>4500k</c>, <c>2.5Mbps</c>, <c>1G</c> (k, M, G are powers of 1000; an optional <c>bps</c>, <c>b/s</c> or <c>bit/s</c>).
/// </summary>
internal static class BitRate
{
    /// <summary>Parses a positive bit rate; never throws.</summary>
    public static bool TryParse(string text, out long bitsPerSecond)
    {
        bitsPerSecond = 0;
        ReadOnlySpan<char> value = text.AsSpan().Trim();
        int number = 0;
        while (number < value.Length && (char.IsAsciiDigit(value[number]) || value[number] == '.'))
        {
            number++;
        }

        if (number == 0 || !double.TryParse(value[..number], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double amount))
        {
            return false;
        }

        string unit = value[number..].Trim().ToString();
        foreach (string suffix in (ReadOnlySpan<string>)["bit/s", "bps", "b/s"])
        {
            if (unit.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                unit = unit[..^suffix.Length];
                break;
            }
        }

        double scale = unit switch
        {
            "" => 1,
            "k" or "K" => 1e3,
            "m" or "M" => 1e6,
            "g" or "G" => 1e9,
            _ => 0,
        };
        double bits = Math.Round(amount * scale);
        if (scale == 0 || bits < 1 || bits > 1e12)
        {
            return false;
        }

        bitsPerSecond = (long)bits;
        return true;
    }

    /// <summary>A human-readable bit rate: <c>8 Mbit/s</c>, <c>4.5 Mbit/s</c>, <c>640 kbit/s</c>.</summary>
    public static string Format(double bitsPerSecond) => bitsPerSecond switch
    {
        >= 1e9 => string.Create(CultureInfo.InvariantCulture, $"{bitsPerSecond / 1e9:0.##} Gbit/s"),
        >= 1e6 => string.Create(CultureInfo.InvariantCulture, $"{bitsPerSecond / 1e6:0.##} Mbit/s"),
        >= 1e3 => string.Create(CultureInfo.InvariantCulture, $"{bitsPerSecond / 1e3:0.##} kbit/s"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bitsPerSecond:0} bit/s"),
    };
}
