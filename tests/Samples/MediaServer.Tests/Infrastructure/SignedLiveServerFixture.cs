using MediaServer.Cli;
using MediaServer.Tests.AccessControl;

namespace MediaServer.Tests.Infrastructure;

/// <summary>A <see cref="LiveServerFixture"/> whose viewers need signed URLs (the secret of <see cref="SignedViewerFixture"/>).</summary>
public sealed class SignedLiveServerFixture : LiveServerFixture
{
    internal override MediaServerOptions Configure(MediaServerOptions options) => options with { ViewerSecret = SignedViewerFixture.Secret };
}
