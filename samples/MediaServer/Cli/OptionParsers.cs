using System.CommandLine.Parsing;

namespace MediaServer.Cli;

/// <summary>
/// The parsers of the options given as a size, a length of time or a bit rate. Each checks its value in the parser, with
/// the option and the value in the message: a validator would throw on a value that did not parse.
/// </summary>
internal static class OptionParsers
{
    /// <summary>A size with K, M, G suffixes (<see cref="ByteSize"/>), at least <paramref name="minimum"/>.</summary>
    public static long ParseSize(ArgumentResult result, long minimum = 1)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
        string option = (result.Parent as OptionResult)?.Option.Name ?? "the size";
        if (!ByteSize.TryParse(text, out long bytes) || bytes <= 0)
        {
            result.AddError($"{option} '{text}' is not a size in bytes (e.g. 1073741824, 512M, 2G)");
            return minimum;
        }

        if (bytes < minimum)
        {
            result.AddError($"{option} must be at least {ByteSize.Format(minimum)} (got {text})");
            return minimum;
        }

        return bytes;
    }

    /// <summary>A length of time (90s, 30min, 1h30m, HH:MM:SS; <see cref="TimeLength"/>).</summary>
    public static TimeSpan? ParseTime(ArgumentResult result) =>
        ParseWith<TimeSpan>(result, TimeLength.TryParse, "a length of time (e.g. 90s, 30min, 2h, 1h30m, 00:30:00)");

    /// <summary>A bit rate (8M, 4500k, 20Mbps; <see cref="BitRate"/>).</summary>
    public static long? ParseBitRate(ArgumentResult result) =>
        ParseWith<long>(result, BitRate.TryParse, "a bit rate in bits per second (e.g. 8M, 4500k, 20Mbps)");

    private delegate bool TryParse<T>(string text, out T value);

    private static T? ParseWith<T>(ArgumentResult result, TryParse<T> tryParse, string expected)
        where T : struct
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
        if (!tryParse(text, out T value))
        {
            result.AddError($"{(result.Parent as OptionResult)?.Option.Name} '{text}' is not {expected}");
            return null;
        }

        return value;
    }
}
