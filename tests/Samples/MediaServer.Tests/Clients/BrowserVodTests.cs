using System.Globalization;
using MediaServer.Tests.Infrastructure;
using Microsoft.Playwright;

namespace MediaServer.Tests.Clients;

/// <summary>
/// Headless Chromium plays the transport stream from the page through each of its paths. The MP4, the live channel and the
/// signed links are played in every engine by <see cref="Browsers.BrowserTests{TPage}"/>.
/// </summary>
[Collection(nameof(BrowserGroup))]
public sealed class BrowserVodTests(ServerFixture server) : IClassFixture<ServerFixture>, IAsyncLifetime, IDisposable
{
    private Browser _browser = null!;

    public async ValueTask InitializeAsync() => _browser = await Browser.LaunchAsync();

    public async ValueTask DisposeAsync() => await _browser.DisposeAsync();

    public void Dispose() => server.Logs.AssertNoFaults();

    private async Task<IPage> OpenPageAsync(List<string> console, string query = "")
    {
        IPage page = await _browser.Instance.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 760 } });
        page.Console += (_, message) => console.Add(message.Text);
        await page.GotoAsync(server.BaseUri + query, new PageGotoOptions { Timeout = 30_000 });
        return page;
    }

    [Fact]
    public async Task ThePagePlaysTheTransportStreamThroughMediaSource()
    {
        var console = new List<string>();
        IPage page = await OpenPageAsync(console);
        await page.ClickAsync("button[data-video='clip.ts']", new PageClickOptions { Timeout = 15_000 });
        await page.WaitForFunctionAsync(
            "() => { const v = document.querySelector('#vod'); return v.currentTime >= 1.5 && !v.paused; }",
            null,
            new PageWaitForFunctionOptions { Timeout = 30_000, PollingInterval = 100 });

        string status = await page.InnerTextAsync("#vod-status");
        Assert.Contains("video/mp2t; codecs=\"avc1.", status, StringComparison.Ordinal);
        Assert.Equal("path: MSE-TS", await page.InnerTextAsync("#vod-path")); // Chromium's MSE takes MPEG-TS: no playlist needed
        Assert.Null(await page.EvaluateAsync<string?>("() => document.querySelector('#vod').error && document.querySelector('#vod').error.message"));
    }

    [Fact]
    public async Task ThePageForcedToHlsPlaysTheTransportStreamThroughHlsJsAndSeeksTo20Seconds()
    {
        var console = new List<string>();
        IPage page = await OpenPageAsync(console, "?path=hls"); // what Firefox and WebKit take, where MSE refuses video/mp2t
        await page.ClickAsync("button[data-video='clip.ts']", new PageClickOptions { Timeout = 15_000 });
        await page.WaitForFunctionAsync(
            "() => { const v = document.querySelector('#vod'); return v.currentTime >= 1 && !v.paused; }",
            null,
            new PageWaitForFunctionOptions { Timeout = 30_000, PollingInterval = 100 });
        double duration = await page.EvaluateAsync<double>("() => document.querySelector('#vod').duration");

        await page.EvaluateAsync("() => { const v = document.querySelector('#vod'); v.currentTime = 20; v.play(); }");
        await page.WaitForFunctionAsync(
            "() => { const v = document.querySelector('#vod'); return !v.seeking && v.currentTime >= 20.5 && !v.paused; }",
            null,
            new PageWaitForFunctionOptions { Timeout = 30_000, PollingInterval = 100 });

        double currentTime = await page.EvaluateAsync<double>("() => document.querySelector('#vod').currentTime");
        string? error = await page.EvaluateAsync<string?>("() => document.querySelector('#vod').error && document.querySelector('#vod').error.message");
        string status = await page.InnerTextAsync("#vod-status");
        Assert.True(currentTime >= 20.5, $"currentTime {currentTime.ToString(CultureInfo.InvariantCulture)}; {status}; console: {string.Join(" | ", console)}");
        Assert.Null(error);
        Assert.InRange(duration, 29.5, 30.5);
        Assert.Equal("path: hls.js", await page.InnerTextAsync("#vod-path"));
        Assert.Contains("/videos/clip.ts/index.m3u8", status, StringComparison.Ordinal);
        Assert.DoesNotContain("HLS error", status, StringComparison.Ordinal);
        await server.Logs.AssertLoggedAsync(entry => entry.Message.StartsWith("GET /videos/clip.ts/index.m3u8 -> 200", StringComparison.Ordinal), "the playlist");
        await server.Logs.AssertLoggedAsync(entry => entry.Message.StartsWith("GET /videos/clip.ts -> 206", StringComparison.Ordinal), "a segment as a range request");
    }
}
