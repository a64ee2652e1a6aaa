using MediaServer.Tests.Infrastructure;

namespace MediaServer.Tests.Clients.Browsers;

/// <summary>The page in Chromium, through Playwright. Live: hls.js on Media Source Extensions.</summary>
[Collection(nameof(BrowserGroup))]
public sealed class ChromiumTests(ChromiumPage browser, LiveServerFixture server, SignedLiveServerFixture signedServer, ITestOutputHelper output)
    : BrowserTests<ChromiumPage>(browser, server, signedServer, output), IClassFixture<ChromiumPage>
{
    protected override string LivePath => "Live (hls.js";

    protected override string TransportStreamPath => "MSE-TS";
}
