using System.CommandLine;
using System.CommandLine.Parsing;
using System.Net;

using ZeroCopy.Samples;

namespace ChunkServer.Cli;

/// <summary>The <c>--host</c> and <c>--port</c> options both commands take, parsed and checked with the value in the message.</summary>
internal static class EndpointOptions
{
    /// <summary>The default port of both commands.</summary>
    public const int DefaultPort = 9100;

    /// <summary><c>--host</c>: an IP address (or <c>localhost</c>), 127.0.0.1 by default.</summary>
    public static Option<IPAddress> Host(string description) => new("--host")
    {
        Description = description,
        DefaultValueFactory = _ => IPAddress.Loopback,
        CustomParser = ParseHost,
    };

    /// <summary><c>--port</c>: <paramref name="lowest"/> to 65535, <see cref="DefaultPort"/> by default.</summary>
    public static Option<long> Port(string description, int lowest) => new("--port")
    {
        Description = description,
        DefaultValueFactory = _ => DefaultPort,
        CustomParser = RangeParser.Between<long>(lowest, 65535),
    };

    private static IPAddress ParseHost(ArgumentResult result)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "127.0.0.1";
        if (text.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            return IPAddress.Loopback;
        }

        if (IPAddress.TryParse(text, out IPAddress? address))
        {
            return address;
        }

        result.AddError($"--host '{text}' is not an IP address (use 127.0.0.1, ::1, 0.0.0.0 or ::)");
        return IPAddress.Loopback;
    }
}
