using MediaServer.Tests.Infrastructure;

namespace MediaServer.Tests.Clients.Browsers;

/// <summary>The page in Firefox ESR, through PuppeteerSharp over WebDriver BiDi. Live: hls.js on Media Source Extensions.</summary>
[Collection(nameof(BrowserGroup))]
public sealed class FirefoxTests(FirefoxPage browser, LiveServerFixture server, SignedLiveServerFixture signedServer, ITestOutputHelper output)
    : BrowserTests<FirefoxPage>(browser, server, signedServer, output), IClassFixture<FirefoxPage>
{
    protected override string LivePath => "Live (hls.js";

    protected override string TransportStreamPath => "hls.js";
}
