using System.CommandLine.Parsing;
using System.Globalization;
using System.Numerics;

namespace ZeroCopy.Samples;

/// <summary>
/// Parses an integer option and checks its range in one step, so that a value that is not a number and a number out of
/// range both become a parse error naming the option and the value (a validator would see no value for the first).
/// </summary>
internal static class RangeParser
{
    /// <summary>A parser for whole numbers from <paramref name="lowest"/> to <paramref name="highest"/>.</summary>
    public static Func<ArgumentResult, T> Between<T>(T lowest, T highest)
        where T : IBinaryInteger<T> => result =>
    {
        string option = (result.Parent as OptionResult)?.Option.Name ?? "the value";
        string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
        if (!T.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out T? value))
        {
            result.AddError($"{option} '{text}' is not a whole number");
            return lowest;
        }

        if (value < lowest || value > highest)
        {
            result.AddError($"{option} must be between {lowest} and {highest} (got {value})");
            return lowest;
        }

        return value;
    };
}
