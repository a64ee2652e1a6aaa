using MediaServer.Live;
using MediaServer.Tests.Infrastructure;
using MediaServer.Tests.Server;
using Microsoft.Playwright;

namespace MediaServer.Tests.Clients;

/// <summary>
/// With signed viewer URLs (<c>--viewer-secret-file</c>), the page opened as <c>/?live=NAME&amp;expires=…&amp;token=…</c>
/// (or <c>?video=NAME&amp;…</c>) passes the signature on to everything its player fetches, and plays at once; without a
/// signature the player is refused.
/// </summary>
public sealed class BrowserSignedTests(SignedViewerFixture server) : IClassFixture<SignedViewerFixture>, IDisposable
{
    public void Dispose() => server.Logs.AssertNoFaults();

    [Fact]
    public async Task ThePageOpenedWithASignedLinkPlaysTheLiveChannelAndWithoutOneIsRefused()
    {
        using RunningTool publisher = ExternalTool.Start("ffmpeg", LiveHelpers.FfmpegPush($"tcp://{server.Server.IngestEndPoint}", seconds: 20, withAudio: true, "-flush_packets", "1"));
        await LiveHelpers.WaitForChannelAsync(server, ChannelName.TcpIngest, minBytes: 20_000, publisher: publisher);
        await using Browser browser = await Browser.LaunchAsync();
        string token = SignedToken.Sign(SignedViewerFixture.Secret, "/live/" + ChannelName.TcpIngest, DateTimeOffset.UtcNow.AddMinutes(5));

        IPage unsigned = await browser.Instance.NewPageAsync();
        await unsigned.GotoAsync(new Uri(server.BaseUri, $"?live={ChannelName.TcpIngest}").ToString(), new PageGotoOptions { Timeout = 30_000 });
        await unsigned.WaitForFunctionAsync("() => document.querySelector('#live-status').textContent.includes('HLS error')", null, new PageWaitForFunctionOptions { Timeout = 30_000, PollingInterval = 100 });

        IPage page = await browser.Instance.NewPageAsync();
        var refused = new List<string>();
        page.Response += (_, response) =>
        {
            if (response.Status == 403)
            {
                refused.Add(response.Url);
            }
        };
        await page.GotoAsync(new Uri(server.BaseUri, $"?live={ChannelName.TcpIngest}&{token}").ToString(), new PageGotoOptions { Timeout = 30_000 });
        await page.WaitForFunctionAsync(
            "() => { const v = document.querySelector('#live'); return v.currentTime > 2 && !v.paused; }",
            null,
            new PageWaitForFunctionOptions { Timeout = 30_000, PollingInterval = 100 });

        Assert.Empty(refused);
        Assert.Contains("hls.js", await page.InnerTextAsync("#live-status"), StringComparison.Ordinal);
        await server.Logs.AssertLoggedAsync(entry => entry.Message.Contains(".ts?expires=", StringComparison.Ordinal), "a segment or part fetched with the signature");
        (await publisher.WaitAsync(TimeSpan.FromSeconds(60))).AssertClean();
    }

    [Fact]
    public async Task ThePageOpenedWithASignedLinkToAVideoPlaysIt()
    {
        await using Browser browser = await Browser.LaunchAsync();
        string token = SignedToken.Sign(SignedViewerFixture.Secret, "/videos/clip.mp4", DateTimeOffset.UtcNow.AddMinutes(5));
        IPage page = await browser.Instance.NewPageAsync();

        await page.GotoAsync(new Uri(server.BaseUri, $"?video=clip.mp4&{token}").ToString(), new PageGotoOptions { Timeout = 30_000 });
        await page.WaitForFunctionAsync(
            "() => { const v = document.querySelector('#vod'); return v.currentTime > 1 && !v.paused; }",
            null,
            new PageWaitForFunctionOptions { Timeout = 30_000, PollingInterval = 100 });

        await server.Logs.AssertLoggedAsync(entry => entry.Message.StartsWith("GET /videos/clip.mp4?expires=", StringComparison.Ordinal), "the video fetched with the signature");
    }
}
