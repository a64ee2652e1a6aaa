using MediaServer.Tests.Infrastructure;

namespace MediaServer.Tests.Clients.Browsers;

/// <summary>
/// The page in WebKitGTK, through Selenium and WebKitWebDriver. Live: hls.js on Media Source Extensions, since
/// WebKitGTK's GStreamer player does not claim <c>application/vnd.apple.mpegurl</c>; Safari would take native HLS.
/// </summary>
[Collection(nameof(BrowserGroup))]
public sealed class WebKitTests(WebKitPage browser, LiveServerFixture server, SignedLiveServerFixture signedServer, ITestOutputHelper output)
    : BrowserTests<WebKitPage>(browser, server, signedServer, output), IClassFixture<WebKitPage>
{
    protected override string LivePath => "Live (hls.js";

    protected override string TransportStreamPath => "hls.js";

    protected override bool FetchesByRanges => false;
}
