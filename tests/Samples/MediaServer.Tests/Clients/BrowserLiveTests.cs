using System.Globalization;
using MediaServer.Live;
using MediaServer.Tests.Infrastructure;
using Microsoft.Playwright;

namespace MediaServer.Tests.Clients;

/// <summary>
/// Headless Chromium watches a live channel on the page while ffmpeg publishes it — as Low-Latency HLS through hls.js,
/// and as the continuous MPEG-TS through Media Source Extensions — and takes the screenshot that docs/media-server.png shows.
/// </summary>
[Collection(nameof(BrowserGroup))]
public sealed class BrowserLiveTests(ServerFixture server, ITestOutputHelper output) : IClassFixture<ServerFixture>, IDisposable
{
    /// <summary>Where the screenshot goes: the test's output folder (<c>./build.sh screenshot</c> copies it to docs/media-server.png).</summary>
    public static string ScreenshotPath => Path.Combine(AppContext.BaseDirectory, "media-server.png");

    public void Dispose() => server.Logs.AssertNoFaults();

    [Fact]
    public async Task ThePagePlaysTheLiveChannelAndItsTimeAdvances()
    {
        using RunningTool publisher = ExternalTool.Start("ffmpeg", LiveHelpers.FfmpegPush($"tcp://{server.Server.IngestEndPoint}", seconds: 25, withAudio: true));
        await using Browser browser = await Browser.LaunchAsync();
        IPage page = await browser.Instance.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 720 } });
        var console = new List<string>();
        page.Console += (_, message) => console.Add(message.Text);
        await page.GotoAsync(server.BaseUri.ToString(), new PageGotoOptions { Timeout = 30_000 });

        // A video in the first player, stopped at 12 s, for the screenshot.
        await page.ClickAsync("button[data-video='clip.mp4']", new PageClickOptions { Timeout = 15_000 });
        await page.WaitForFunctionAsync("() => document.querySelector('#vod').readyState >= 1", null, new PageWaitForFunctionOptions { Timeout = 20_000 });
        await page.EvaluateAsync("() => { const v = document.querySelector('#vod'); v.pause(); v.currentTime = 12; }");

        // The book's request_chunk from the page: a HEAD of the chunk at 00:00:30:00.
        await page.ClickAsync("#chunk-go");
        await page.WaitForFunctionAsync("() => document.querySelector('#chunk-status').textContent.includes('Content-Range')", null, new PageWaitForFunctionOptions { Timeout = 10_000 });
        Assert.StartsWith("HTTP 206", await page.InnerTextAsync("#chunk-status"), StringComparison.Ordinal);

        await LiveHelpers.WaitForChannelAsync(server, ChannelName.TcpIngest, minBytes: 20_000, publisher: publisher);
        await page.EvaluateAsync("() => window.mediaServer.loadChannels()");
        await page.ClickAsync("button[data-ts-channel='live']", new PageClickOptions { Timeout = 15_000 });

        const string Playing = "() => { const v = document.querySelector('#live'); return v.currentTime > 0 && !v.paused && v.readyState >= 3; }";
        await page.WaitForFunctionAsync(Playing, null, new PageWaitForFunctionOptions { Timeout = 20_000, PollingInterval = 100 });
        double start = await page.EvaluateAsync<double>("() => document.querySelector('#live').currentTime");
        await page.WaitForFunctionAsync(
            $"() => document.querySelector('#live').currentTime >= {(start + 2).ToString(CultureInfo.InvariantCulture)}",
            null,
            new PageWaitForFunctionOptions { Timeout = 20_000, PollingInterval = 100 });

        double now = await page.EvaluateAsync<double>("() => document.querySelector('#live').currentTime");
        string status = await page.InnerTextAsync("#live-status");
        string support = await page.InnerTextAsync("#mse-support");
        string? error = await page.EvaluateAsync<string?>("() => document.querySelector('#live').error && document.querySelector('#live').error.message");
        output.WriteLine($"live currentTime {start:0.00} -> {now:0.00}; {status}; {support}");

        Assert.Null(error);
        Assert.Contains("video/mp2t; codecs=\"avc1.", status, StringComparison.Ordinal);
        Assert.Contains("mp4a.40.2", status, StringComparison.Ordinal);
        Assert.True(now >= start + 2, $"live currentTime {start} -> {now}; console: {string.Join(" | ", console)}");

        await page.ScreenshotAsync(new PageScreenshotOptions { Path = ScreenshotPath, FullPage = true });
        output.WriteLine($"screenshot: {ScreenshotPath}");
        Assert.True(new FileInfo(ScreenshotPath).Length > 10_000);
    }

    [Fact]
    public async Task ThePagePlaysTheLiveChannelThroughHlsJsNearTheLiveEdge()
    {
        using RunningTool publisher = ExternalTool.Start("ffmpeg", LiveHelpers.FfmpegPush($"tcp://{server.Server.IngestEndPoint}", seconds: 30, withAudio: true, "-flush_packets", "1"));
        await LiveHelpers.WaitForChannelAsync(server, ChannelName.TcpIngest, minBytes: 20_000, publisher: publisher);
        await using Browser browser = await Browser.LaunchAsync();
        IPage page = await browser.Instance.NewPageAsync();
        var console = new List<string>();
        page.Console += (_, message) => console.Add(message.Text);
        page.Response += (_, response) =>
        {
            if (response.Status >= 400)
            {
                console.Add($"{response.Status} {response.Url}"); // Which resource: the console's own message does not say.
            }
        };
        await page.GotoAsync(server.BaseUri.ToString(), new PageGotoOptions { Timeout = 30_000 });
        await page.EvaluateAsync("() => window.mediaServer.loadChannels()");
        await page.ClickAsync("button[data-channel='live']", new PageClickOptions { Timeout = 15_000 });

        const string Playing = "() => { const v = document.querySelector('#live'); return v.currentTime > 0 && !v.paused && v.readyState >= 3; }";
        try
        {
            await page.WaitForFunctionAsync(Playing, null, new PageWaitForFunctionOptions { Timeout = 30_000, PollingInterval = 100 });
            double start = await page.EvaluateAsync<double>("() => document.querySelector('#live').currentTime");
            await page.WaitForFunctionAsync(
                $"() => document.querySelector('#live').currentTime >= {(start + 3).ToString(CultureInfo.InvariantCulture)}",
                null,
                new PageWaitForFunctionOptions { Timeout = 30_000, PollingInterval = 100 });
        }
        catch (TimeoutException e)
        {
            string state = await page.EvaluateAsync<string>("() => { const v = document.querySelector('#live'); return `currentTime ${v.currentTime}, paused ${v.paused}, readyState ${v.readyState}, buffered ${v.buffered.length ? v.buffered.start(0) + '-' + v.buffered.end(v.buffered.length - 1) : 'none'}`; }");
            throw new TimeoutException($"{e.Message}\n{state}\nstatus: {await page.InnerTextAsync("#live-status")}\nconsole: {string.Join(" | ", console)}", e);
        }

        // Latency: now minus the server's publication time of the frame on screen (EXT-X-PROGRAM-DATE-TIME via hls.js).
        var latencies = new List<double>();
        await Task.Delay(TimeSpan.FromSeconds(5)); // hls.js plays a little faster until it reaches the hold-back
        for (int i = 0; i < 10; i++)
        {
            latencies.Add(await page.EvaluateAsync<double>("() => window.mediaServer.liveLatency()"));
            await Task.Delay(300);
        }

        string status = await page.InnerTextAsync("#live-status");
        string? error = await page.EvaluateAsync<string?>("() => document.querySelector('#live').error && document.querySelector('#live').error.message");
        latencies.Sort();
        // hls.js aims at PART-HOLD-BACK and adds a second for every stall: its target says whether playback stalled.
        double target = await page.EvaluateAsync<double>("() => hlsPlayer.targetLatency");
        output.WriteLine($"hls.js live: {status}; latency median {latencies[latencies.Count / 2]:0.00} s, max {latencies[^1]:0.00} s; hls.js target {target:0.000} s");

        Assert.Null(error);
        Assert.Contains("hls.js", status, StringComparison.Ordinal);
        Assert.All(latencies, latency => Assert.True(latency is > 0 and < 30, $"latency {latency} s; console: {string.Join(" | ", console)}"));
        Assert.Contains(server.Logs.Entries, entry => entry.Message.Contains("/index.m3u8?_HLS_msn=", StringComparison.Ordinal)); // blocking reloads
        (await publisher.WaitAsync(TimeSpan.FromSeconds(60))).AssertClean();
    }
}
