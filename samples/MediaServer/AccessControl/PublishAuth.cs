using System.Net;

namespace MediaServer.AccessControl;

/// <summary>When publishing needs a credential (<c>--publish-auth</c>).</summary>
internal enum PublishAuth
{
    /// <summary>Required whenever the server listens beyond loopback (the default); open to anyone on loopback only.</summary>
    Auto,

    /// <summary>Always required, on loopback too.</summary>
    Required,

    /// <summary>Never required: anyone who reaches the ports may publish (a private network the operator trusts).</summary>
    Off,
}

/// <summary>How <see cref="PublishAuth"/> applies to a listening address.</summary>
internal static class PublishAuthExtensions
{
    /// <summary>Whether publishers must present a credential when the server listens on <paramref name="host"/>.</summary>
    public static bool IsRequiredOn(this PublishAuth auth, IPAddress host) => auth switch
    {
        PublishAuth.Required => true,
        PublishAuth.Off => false,
        _ => !IPAddress.IsLoopback(host),
    };
}
