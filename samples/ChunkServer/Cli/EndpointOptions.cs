using System.CommandLine;
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
        CustomParser = HostParser.Parse,
    };

    /// <summary><c>--port</c>: <paramref name="lowest"/> to 65535, <see cref="DefaultPort"/> by default.</summary>
    public static Option<long> Port(string description, int lowest) => new("--port")
    {
        Description = description,
        DefaultValueFactory = _ => DefaultPort,
        CustomParser = RangeParser.Between<long>(lowest, 65535),
    };
}
