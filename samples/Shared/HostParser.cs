using System.CommandLine.Parsing;
using System.Net;

namespace ZeroCopy.Samples;

/// <summary>Parses <c>--host</c>: an IP address or <c>localhost</c>; anything else is a parse error naming the value.</summary>
internal static class HostParser
{
    /// <summary>The address, or <see cref="IPAddress.Loopback"/> with an error added.</summary>
    public static IPAddress Parse(ArgumentResult result)
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
