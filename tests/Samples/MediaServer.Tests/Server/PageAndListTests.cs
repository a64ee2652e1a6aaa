using System.Net;
using System.Text.Json;
using MediaServer.Tests.Infrastructure;

namespace MediaServer.Tests.Server;

public sealed class PageAndListTests(ServerFixture server) : IClassFixture<ServerFixture>, IDisposable
{
    public void Dispose() => server.Logs.AssertNoFaults();

    [Fact]
    public async Task ThePageIsHtmlWithAPlayer()
    {
        using var client = new HttpClient { BaseAddress = server.BaseUri, Timeout = TimeSpan.FromSeconds(30) };
        using HttpResponseMessage response = await client.GetAsync("/");
        string html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("<video id=\"vod\"", html, StringComparison.Ordinal);
        Assert.Contains("<video id=\"live\"", html, StringComparison.Ordinal);
        Assert.Contains("MediaSource", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ThePageIsServedWithTheRoutesWrittenIn()
    {
        using var client = new HttpClient { BaseAddress = server.BaseUri, Timeout = TimeSpan.FromSeconds(30) };
        string html = await client.GetStringAsync("/");

        Assert.DoesNotContain("{{", html, StringComparison.Ordinal);
        Assert.Contains("const signedNames = { expires: 'expires', token: 'token' };", html, StringComparison.Ordinal);
        Assert.Contains("<script src=\"/hls.min.js\">", html, StringComparison.Ordinal);
        Assert.Contains("videoChunk: '/videos/{name}/chunk'", html, StringComparison.Ordinal);
        Assert.Contains("channelPlaylist: '/live/{name}/index.m3u8'", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheVideoListNamesSizesAndDurations()
    {
        using var client = new HttpClient { BaseAddress = server.BaseUri, Timeout = TimeSpan.FromSeconds(30) };
        using HttpResponseMessage response = await client.GetAsync("/videos");
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        using JsonDocument json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        JsonElement[] videos = [.. json.RootElement.EnumerateArray()];
        Assert.Equal(["clip.mp4", "clip.ts"], videos.Select(v => v.GetProperty("name").GetString()));
        JsonElement mp4 = videos[0];
        Assert.Equal(new FileInfo(MediaFiles.PathOf(MediaFiles.Mp4)).Length, mp4.GetProperty("size").GetInt64());
        Assert.Equal(60.0, mp4.GetProperty("duration").GetDouble(), 1);
        Assert.Equal(25.0, mp4.GetProperty("frameRate").GetDouble(), 3);
        Assert.Equal("video/mp4", mp4.GetProperty("contentType").GetString());
        Assert.Equal(30.0, videos[1].GetProperty("duration").GetDouble(), 1);
    }
}
