using System.CommandLine;
using System.CommandLine.Invocation;
using System.Reflection;
using ZeroCopy;

namespace ZeroCopy.Samples;

/// <summary><c>--version</c>: prints the version of the ZeroCopy library the sample runs on, not the sample's own.</summary>
internal sealed class LibraryVersionAction : SynchronousCommandLineAction
{
    /// <summary>The ZeroCopy assembly's informational version (the package version, plus the commit when built with one).</summary>
    public static string Version =>
        typeof(VideoCache).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    public override int Invoke(ParseResult parseResult)
    {
        parseResult.InvocationConfiguration.Output.WriteLine($"ZeroCopy {Version}");
        return 0;
    }
}
