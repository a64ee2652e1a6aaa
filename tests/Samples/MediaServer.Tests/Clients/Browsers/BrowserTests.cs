using System.Globalization;
using MediaServer.AccessControl;
using MediaServer.Live;
using MediaServer.Tests.AccessControl;
using MediaServer.Tests.Infrastructure;
using MediaServer.Tests.Server;

namespace MediaServer.Tests.Clients.Browsers;

/// <summary>
/// The page in a real browser engine: the MP4 plays and seeks, the live channel plays at the live edge and behind it,
/// and a signed link plays where an unsigned one is refused. Each engine is a sealed subclass with its own browser
/// and servers (<see cref="ChromiumTests"/>, <see cref="FirefoxTests"/>, <see cref="WebKitTests"/>: the browser is each one's class fixture), which also says
/// which path the page's live player takes there: every test reports it, and fails if another one ran.
/// </summary>
public abstract class BrowserTests<TPage>(TPage browser, LiveServerFixture server, SignedLiveServerFixture signedServer, ITestOutputHelper output)
    : IClassFixture<LiveServerFixture>, IClassFixture<SignedLiveServerFixture>, IDisposable
    where TPage : BrowserPage
{
    private const string Vod = "document.querySelector('#vod')";
    private const string Live = "document.querySelector('#live')";
    private const string LiveStatus = "document.querySelector('#live-status').textContent";
    private const string LivePlaying = $"{Live}.currentTime > 0 && !{Live}.paused && {Live}.readyState >= 3";

    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How the page's live player plays Low-Latency HLS in this engine, as the live status starts: <c>Live (hls.js</c>
    /// (Media Source Extensions) or <c>Live (native HLS)</c>.
    /// </summary>
    protected abstract string LivePath { get; }

    /// <summary>
    /// How the page plays an MPEG-TS video in this engine, as its <c>window.mediaServer.vodPath</c> says: <c>MSE-TS</c>
    /// (Media Source Extensions take <c>video/mp2t</c>), <c>hls.js</c> (the video's byte-range playlist), or
    /// <c>native HLS</c> (Safari).
    /// </summary>
    protected abstract string TransportStreamPath { get; }

    /// <summary>Whether the engine fetches the MP4 by ranges (206); WebKitGTK's GStreamer takes the small clip whole.</summary>
    protected virtual bool FetchesByRanges => true;

    public void Dispose()
    {
        server.Logs.AssertNoFaults();
        signedServer.Logs.AssertNoFaults();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task ThePagePlaysTheMp4AndSeeksTo50Seconds()
    {
        await browser.OpenAsync(server.BaseUri);
        await browser.ClickAsync("button[data-video='clip.mp4']", s_wait);
        await WaitForAsync($"{Vod}.readyState >= 1");
        double duration = await browser.EvaluateAsync<double>($"{Vod}.duration");
        Assert.InRange(duration, 59.5, 60.5);

        await browser.RunAsync($"const v = {Vod}; v.currentTime = 50; v.play()");
        await WaitForAsync($"!{Vod}.seeking && {Vod}.currentTime >= 50.5 && !{Vod}.paused");

        // Chromium and Firefox fetch by ranges; WebKitGTK (GStreamer) takes this small file whole and seeks in its buffer.
        double currentTime = await browser.EvaluateAsync<double>($"{Vod}.currentTime");
        string[] fetches = [.. server.Logs.Entries.Select(entry => entry.Message).Where(message => message.StartsWith("GET /videos/clip.mp4 -> ", StringComparison.Ordinal))];
        string nudges = await browser.EvaluateAsync<string>("JSON.stringify(window.mediaServer.stallNudges)");
        output.WriteLine($"{browser.Engine}: mp4 at {currentTime.ToString("0.00", CultureInfo.InvariantCulture)} s after a seek to 50 s (the page's stall nudges: {nudges}); {string.Join("; ", fetches)}");
        Assert.Null(await browser.EvaluateAsync<string?>($"{Vod}.error && {Vod}.error.message"));
        Assert.NotEmpty(fetches);
        if (FetchesByRanges)
        {
            Assert.Contains(fetches, fetch => fetch.StartsWith("GET /videos/clip.mp4 -> 206", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task ThePagePlaysTheTransportStreamAndSeeksTo20Seconds()
    {
        await browser.OpenAsync(server.BaseUri);
        await browser.ClickAsync("button[data-video='clip.ts']", s_wait);
        await WaitForAsync($"{Vod}.readyState >= 1");

        await browser.RunAsync($"const v = {Vod}; v.currentTime = 20; v.play()");
        await WaitForAsync($"!{Vod}.seeking && {Vod}.currentTime >= 20.5 && !{Vod}.paused");

        string path = await browser.EvaluateAsync<string>("window.mediaServer.vodPath");
        double currentTime = await browser.EvaluateAsync<double>($"{Vod}.currentTime");
        string nudges = await browser.EvaluateAsync<string>("JSON.stringify(window.mediaServer.stallNudges)");
        output.WriteLine($"{browser.Engine}: clip.ts through {path}, at {currentTime.ToString("0.00", CultureInfo.InvariantCulture)} s after a seek to 20 s; the page's stall nudges: {nudges}");
        Assert.Equal(TransportStreamPath, path);
        Assert.Null(await browser.EvaluateAsync<string?>($"{Vod}.error && {Vod}.error.message"));
    }

    [Theory]
    [InlineData(1)] // as after a seek: waiting for data it has
    [InlineData(4)] // as WebKitGTK's player loaded again at its position once stayed: "enough data", the clock still
    public async Task APlayerStuckWithDataBufferedAheadIsNudgedBySeekingOnceItHasNotMovedForThreeSeconds(int readyState)
    {
        await PlayTheMp4PastOneSecondAsync();

        // A decoder stuck as WebKitGTK's can be after a seek: playing, not paused, data ahead, the clock still.
        double stuckAt = await StickThePlayerAsync(readyState);
        await WaitForAsync("(window.mediaServer.stallNudges.vod || 0) >= 1", TimeSpan.FromSeconds(15));

        double nudgedTo = await browser.EvaluateAsync<double>($"{Vod}.currentTime");
        output.WriteLine($"{browser.Engine}: stuck at {stuckAt:0.000} s, nudged to {nudgedTo:0.000} s");
        Assert.InRange(nudgedTo - stuckAt, 0.005, 0.05);
        await ReleaseThePlayerAsync();
    }

    [Fact]
    public async Task APlayerThatTwoNudgesDidNotStartIsLoadedAgainAtItsPosition()
    {
        await PlayTheMp4PastOneSecondAsync();
        string source = await browser.EvaluateAsync<string>($"{Vod}.currentSrc");

        // Stuck for good, as WebKitGTK's player once stayed with the whole file buffered: seeks move the clock, not the player.
        double stuckAt = await StickThePlayerAsync(readyState: 2);
        await WaitForAsync("(window.mediaServer.stallReloads.vod || 0) >= 1", TimeSpan.FromSeconds(30));
        await ReleaseThePlayerAsync();

        double nudges = await browser.EvaluateAsync<double>("window.mediaServer.stallNudges.vod || 0");
        output.WriteLine($"{browser.Engine}: stuck at {stuckAt:0.000} s, {nudges} nudges, then loaded again");
        Assert.Equal(2, nudges);
        Assert.Equal(source, await browser.EvaluateAsync<string>($"{Vod}.currentSrc"));
        await WaitForAsync($"{Vod}.currentTime >= {(stuckAt + 1).ToString(CultureInfo.InvariantCulture)} && !{Vod}.paused");
    }

    [Fact]
    public async Task ThePagePlaysTheLiveChannelForTenSecondsAndShowsItsLatency()
    {
        await browser.OpenAsync(server.BaseUri);
        await browser.ClickAsync($"button[data-channel='{ChannelName.TcpIngest}']", s_wait);
        await WaitForAsync(LivePlaying);
        double start = await browser.EvaluateAsync<double>($"{Live}.currentTime");
        await WaitForAsync($"{Live}.currentTime >= {(start + 10).ToString(CultureInfo.InvariantCulture)}");
        await WaitForAsync("document.querySelector('#live-latency').textContent.startsWith('latency ')");

        double now = await browser.EvaluateAsync<double>($"{Live}.currentTime");
        string shown = await browser.EvaluateAsync<string>("document.querySelector('#live-latency').textContent");
        double latency = double.Parse(shown.Split(' ')[1], CultureInfo.InvariantCulture);
        string status = await AssertLivePathAsync();
        output.WriteLine($"{browser.Engine}: live currentTime {start:0.00} -> {now:0.00} s, {shown}; {status}");
        Assert.Null(await browser.EvaluateAsync<string?>($"{Live}.error && {Live}.error.message"));
        Assert.True(latency is > 0 and < 30, $"{browser.Engine}: the page shows '{shown}'");
    }

    [Fact]
    public async Task ThePageJoinsTheLiveChannelTenSecondsBehindItsEdge()
    {
        await browser.OpenAsync(server.BaseUri);
        // The channel's HLS window as the page lists it (refreshed every 3 s): enough history to join 10 s back.
        await WaitForAsync($"(window.mediaServer.channels.find(c => c.name === '{ChannelName.TcpIngest}') || {{ window: 0 }}).window >= 14", TimeSpan.FromSeconds(60));
        await browser.RunAsync("document.querySelector('#live-shift').value = '-10'");
        await browser.ClickAsync($"button[data-channel='{ChannelName.TcpIngest}']", s_wait);
        await WaitForAsync(LivePlaying);
        double start = await browser.EvaluateAsync<double>($"{Live}.currentTime");
        await WaitForAsync($"{Live}.currentTime >= {(start + 3).ToString(CultureInfo.InvariantCulture)}");

        double? latency = await browser.EvaluateAsync<double?>("window.mediaServer.liveLatency()");
        string status = await AssertLivePathAsync();
        output.WriteLine($"{browser.Engine}: joined at t=-10, latency {latency:0.00} s; {status}");
        Assert.Contains("t=-10", status, StringComparison.Ordinal);
        Assert.Null(await browser.EvaluateAsync<string?>($"{Live}.error && {Live}.error.message"));
        Assert.True(latency is >= 7 and < 30, $"{browser.Engine}: latency {latency} s after a join 10 s behind the live edge");
    }

    [Fact]
    public async Task ThePageOpenedWithASignedLinkPlaysTheLiveChannelAndWithoutOneIsRefused()
    {
        string channel = ChannelName.TcpIngest;
        await browser.OpenAsync(new Uri(signedServer.BaseUri, $"?live={channel}"));
        await WaitForAsync($"{LiveStatus}.includes('HLS error') || {Live}.error !== null");
        string refused = await browser.EvaluateAsync<string>(LiveStatus);

        int logged = signedServer.Logs.Entries.Count;
        string token = SignedToken.Sign(SignedViewerFixture.Secret, "/live/" + channel, DateTimeOffset.UtcNow.AddMinutes(5));
        await browser.OpenAsync(new Uri(signedServer.BaseUri, $"?live={channel}&{token}"));
        await WaitForAsync($"{Live}.currentTime > 2 && !{Live}.paused");

        string status = await AssertLivePathAsync();
        output.WriteLine($"{browser.Engine}: unsigned: {refused}; signed: {status}");
        Assert.DoesNotContain(signedServer.Logs.Entries.Skip(logged), entry => entry.Message.Contains("-> 403", StringComparison.Ordinal));
        await signedServer.Logs.AssertLoggedAsync(entry => entry.Message.Contains(".ts?expires=", StringComparison.Ordinal), "a segment or part fetched with the signature");
    }

    [Fact]
    public async Task ThePageOpenedWithASignedLinkToAVideoPlaysIt()
    {
        string token = SignedToken.Sign(SignedViewerFixture.Secret, "/videos/clip.mp4", DateTimeOffset.UtcNow.AddMinutes(5));
        await browser.OpenAsync(new Uri(signedServer.BaseUri, $"?video=clip.mp4&{token}"));
        await WaitForAsync($"{Vod}.currentTime > 1 && !{Vod}.paused");

        Assert.Null(await browser.EvaluateAsync<string?>($"{Vod}.error && {Vod}.error.message"));
        await signedServer.Logs.AssertLoggedAsync(entry => entry.Message.StartsWith("GET /videos/clip.mp4?expires=", StringComparison.Ordinal), "the video fetched with the signature");
    }

    /// <summary>
    /// The live status, once it says the player took <see cref="LivePath"/>; with what it plays through (hls.js takes
    /// MediaSource, and ManagedMediaSource only where MediaSource is missing, as on an iPhone).
    /// </summary>
    private async Task<string> AssertLivePathAsync()
    {
        string status = await browser.EvaluateAsync<string>(LiveStatus);
        string media = await browser.EvaluateAsync<string>(
            "!hlsPlayer ? 'the video element itself' : (hlsPlayer.config.preferManagedMediaSource || !window.MediaSource) && window.ManagedMediaSource ? 'hls.js on ManagedMediaSource' : 'hls.js on MediaSource'");
        Assert.True(status.StartsWith(LivePath, StringComparison.Ordinal), $"{browser.Engine}: the page's live player should take '{LivePath}', its status says '{status}' ({media})");
        return $"{status} ({media})";
    }

    /// <summary>Waits for <paramref name="predicate"/>; a timeout fails with the players' state and the page's console.</summary>
    /// <summary>Opens the page and plays clip.mp4 until it has played a second.</summary>
    private async Task PlayTheMp4PastOneSecondAsync()
    {
        await browser.OpenAsync(server.BaseUri);
        await browser.ClickAsync("button[data-video='clip.mp4']", s_wait);
        await WaitForAsync($"{Vod}.currentTime > 1 && !{Vod}.paused && {Vod}.readyState >= 3");
    }

    /// <summary>Fakes a stuck decoder: the player plays on (not paused, data ahead) but its clock stands still and it reports <paramref name="readyState"/>; where it stuck.</summary>
    private async Task<double> StickThePlayerAsync(int readyState)
    {
        await browser.RunAsync($"const v = {Vod}; v.playbackRate = 0; Object.defineProperty(v, 'readyState', {{ configurable: true, get: () => {readyState} }})");
        return await browser.EvaluateAsync<double>($"{Vod}.currentTime");
    }

    /// <summary>Ends <see cref="StickThePlayerAsync"/>'s fake.</summary>
    private Task ReleaseThePlayerAsync() => browser.RunAsync($"delete {Vod}.readyState; {Vod}.playbackRate = 1");

    private async Task WaitForAsync(string predicate, TimeSpan? timeout = null)
    {
        try
        {
            await browser.WaitForAsync(predicate, timeout ?? s_wait);
        }
        catch (TimeoutException e)
        {
            const string State = "['#vod', '#live'].map(id => { const v = document.querySelector(id); "
                + "return `${id}: currentTime ${v.currentTime}, paused ${v.paused}, readyState ${v.readyState}, error ${v.error && v.error.message}, "
                + "buffered ${v.buffered.length ? v.buffered.start(0) + '-' + v.buffered.end(v.buffered.length - 1) : 'none'}`; }).join('\\n') "
                + "+ '\\nvod: ' + document.querySelector('#vod-status').textContent + '\\nlive: ' + document.querySelector('#live-status').textContent "
                + "+ '\\nstall nudges: ' + JSON.stringify(window.mediaServer.stallNudges) + ', reloads: ' + JSON.stringify(window.mediaServer.stallReloads)";
            string state = await browser.EvaluateAsync<string>(State);
            throw new TimeoutException($"{e.Message}\n{state}\nconsole: {browser.ConsoleLog}", e);
        }
    }
}
