using System.CommandLine;
using System.CommandLine.Parsing;

namespace ZeroCopy.Samples;

/// <summary>
/// Runs a sample's command line the one way every sample answers: a usage error is one line per error and a hint on
/// stderr with exit code 2 (the help goes to stdout only when asked for); otherwise the command runs.
/// </summary>
internal static class CommandLineRunner
{
    /// <summary>The exit code of a command line that did not parse.</summary>
    public const int UsageError = 2;

    /// <summary>Parses <paramref name="args"/> against <paramref name="root"/> and runs the command, or reports the usage errors.</summary>
    /// <returns>The command's exit code, or <see cref="UsageError"/>.</returns>
    public static async Task<int> RunAsync(RootCommand root, string program, string[] args)
    {
        ParseResult parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (ParseError error in parsed.Errors)
            {
                await Console.Error.WriteLineAsync($"{program}: {error.Message}").ConfigureAwait(false);
            }

            await Console.Error.WriteLineAsync($"Run '{program} --help' for usage.").ConfigureAwait(false);
            return UsageError;
        }

        // The servers handle SIGINT and SIGTERM themselves, so that stopping waits for their orderly shutdown.
        return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }).ConfigureAwait(false);
    }
}
