using System.Net;
using System.Net.Http.Headers;
using MediaServer.Tests.Infrastructure;

namespace MediaServer.Tests.Server;

public sealed class VideoRangeTests(ServerFixture server) : IClassFixture<ServerFixture>, IDisposable
{
    private static readonly byte[] s_mp4 = MediaFiles.Bytes(MediaFiles.Mp4);

    public void Dispose() => server.Logs.AssertNoFaults();

    [Fact]
    public async Task AWholeVideoIs200WithItsExactBytes()
    {
        using RawHttpConnection connection = await RawHttpConnection.ConnectAsync(server.HttpEndPoint);
        await connection.SendAsync(RawHttpConnection.Request("GET", "/videos/clip.mp4"));
        RawResponse response = await connection.ReadResponseAsync();

        Assert.Equal(200, response.Status);
        Assert.Equal("video/mp4", response.Header("Content-Type"));
        Assert.Equal("bytes", response.Header("Accept-Ranges"));
        Assert.Equal(s_mp4.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), response.Header("Content-Length"));
        Assert.False(response.Headers.ContainsKey("Content-Range"));
        Assert.Equal(s_mp4, response.Body);
    }

    [Theory]
    [InlineData("bytes=0-0", 0, 1)]
    [InlineData("bytes=0-99", 0, 100)]
    [InlineData("bytes=1000-", 1000, -1)]
    [InlineData("bytes=-100", -100, 100)]
    [InlineData("bytes=684000-999999999", 684000, -1)]
    [InlineData("bytes=-99999999", 0, -1)]
    [InlineData("bytes=1000-99999999999999999999", 1000, -1)] // more than 18 digits: to the end, not a 200
    [InlineData("bytes=-99999999999999999999", 0, -1)]
    public async Task EveryRangeFormIs206WithContentRangeAndExactBytes(string range, long offset, long length)
    {
        long size = s_mp4.Length;
        long first = offset < 0 ? size + offset : offset;
        long count = length < 0 ? size - first : length;

        using RawHttpConnection connection = await RawHttpConnection.ConnectAsync(server.HttpEndPoint);
        await connection.SendAsync(RawHttpConnection.Request("GET", "/videos/clip.mp4", "Range: " + range));
        RawResponse response = await connection.ReadResponseAsync();

        Assert.Equal(206, response.Status);
        Assert.Equal($"bytes {first}-{first + count - 1}/{size}", response.Header("Content-Range"));
        Assert.Equal(count.ToString(System.Globalization.CultureInfo.InvariantCulture), response.Header("Content-Length"));
        Assert.Equal(s_mp4.AsSpan((int)first, (int)count).ToArray(), response.Body);
    }

    [Theory]
    [InlineData("bytes=684510-")] // what VLC asks at the end of the file
    [InlineData("bytes=700000-800000")]
    [InlineData("bytes=-0")]
    [InlineData("bytes=99999999999999999999-")] // more than 18 digits: past the end, not a 200 with the whole file
    public async Task AnUnsatisfiableRangeIs416WithTheSizeAndTheConnectionSurvives(string range)
    {
        Assert.Equal(684510, s_mp4.Length); // The bundled file this test's ranges are written for.
        using RawHttpConnection connection = await RawHttpConnection.ConnectAsync(server.HttpEndPoint);
        await connection.SendAsync(RawHttpConnection.Request("GET", "/videos/clip.mp4", "Range: " + range));
        RawResponse response = await connection.ReadResponseAsync();

        Assert.Equal(416, response.Status);
        Assert.Equal($"bytes */{s_mp4.Length}", response.Header("Content-Range"));

        await connection.SendAsync(RawHttpConnection.Request("GET", "/videos/clip.mp4", "Range: bytes=0-3"));
        Assert.Equal(206, (await connection.ReadResponseAsync()).Status);
    }

    [Fact]
    public async Task HeadSendsTheHeadersOfGetWithoutABody()
    {
        using RawHttpConnection connection = await RawHttpConnection.ConnectAsync(server.HttpEndPoint);
        await connection.SendAsync(RawHttpConnection.Request("HEAD", "/videos/clip.mp4", "Range: bytes=10-19"));
        RawResponse head = await connection.ReadResponseAsync(isHead: true);
        await connection.SendAsync(RawHttpConnection.Request("HEAD", "/videos/clip.ts"));
        RawResponse whole = await connection.ReadResponseAsync(isHead: true);

        // Had a body been sent, the second head would have been read from it.
        Assert.Equal(206, head.Status);
        Assert.Equal("10", head.Header("Content-Length"));
        Assert.Equal($"bytes 10-19/{s_mp4.Length}", head.Header("Content-Range"));
        Assert.Equal(200, whole.Status);
        Assert.Equal("video/mp2t", whole.Header("Content-Type"));
        Assert.Equal(new FileInfo(MediaFiles.PathOf(MediaFiles.TransportStream)).Length.ToString(System.Globalization.CultureInfo.InvariantCulture), whole.Header("Content-Length"));
    }

    [Fact]
    public async Task IfRangeHonorsTheRangeOnlyWhileTheValidatorMatches()
    {
        using RawHttpConnection connection = await RawHttpConnection.ConnectAsync(server.HttpEndPoint);
        await connection.SendAsync(RawHttpConnection.Request("HEAD", "/videos/clip.mp4"));
        RawResponse head = await connection.ReadResponseAsync(isHead: true);
        string etag = head.Header("ETag");
        string lastModified = head.Header("Last-Modified");

        foreach (string validator in new[] { etag, lastModified })
        {
            await connection.SendAsync(RawHttpConnection.Request("GET", "/videos/clip.mp4", "Range: bytes=0-9", "If-Range: " + validator));
            Assert.Equal(206, (await connection.ReadResponseAsync()).Status);
        }

        await connection.SendAsync(RawHttpConnection.Request("GET", "/videos/clip.mp4", "Range: bytes=0-9", "If-Range: \"stale\""));
        RawResponse stale = await connection.ReadResponseAsync();
        Assert.Equal(200, stale.Status);
        Assert.Equal(s_mp4, stale.Body);
    }

    [Fact]
    public async Task HttpClientGetsRangesAndTheWholeFile()
    {
        using var client = new HttpClient { BaseAddress = server.BaseUri, Timeout = TimeSpan.FromSeconds(30) };
        using var request = new HttpRequestMessage(HttpMethod.Get, "videos/clip.mp4");
        request.Headers.Range = new RangeHeaderValue(5000, 104_999);
        using HttpResponseMessage partial = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal(5000, partial.Content.Headers.ContentRange!.From);
        Assert.Equal(104_999, partial.Content.Headers.ContentRange.To);
        Assert.Equal(s_mp4.Length, partial.Content.Headers.ContentRange.Length);
        Assert.Equal(s_mp4.AsSpan(5000, 100_000).ToArray(), await partial.Content.ReadAsByteArrayAsync());

        Assert.Equal(s_mp4, await client.GetByteArrayAsync("videos/clip.mp4"));
        Assert.Equal(MediaFiles.Bytes(MediaFiles.TransportStream), await client.GetByteArrayAsync("videos/clip.ts"));
    }

    [Theory]
    [InlineData("GET", false)]
    [InlineData("HEAD", false)]
    [InlineData("GET", true)]
    public async Task IfNoneMatchWithTheCurrentETagIs304WithoutABody(string method, bool weak)
    {
        using RawHttpConnection connection = await RawHttpConnection.ConnectAsync(server.HttpEndPoint);
        await connection.SendAsync(RawHttpConnection.Request("HEAD", "/videos/clip.mp4"));
        string etag = (await connection.ReadResponseAsync(isHead: true)).Header("ETag");

        await connection.SendAsync(RawHttpConnection.Request(method, "/videos/clip.mp4", $"If-None-Match: \"other\", {(weak ? "W/" : string.Empty)}{etag}", "Range: bytes=0-9"));
        RawResponse response = await connection.ReadResponseAsync();

        Assert.Equal(304, response.Status);
        Assert.Equal(etag, response.Header("ETag"));
        Assert.False(response.Headers.ContainsKey("Content-Length"));
        Assert.Empty(response.Body);

        // The connection stays usable: nothing of a body was sent after the 304.
        await connection.SendAsync(RawHttpConnection.Request("GET", "/videos/clip.mp4", "Range: bytes=0-9", "If-None-Match: \"stale\""));
        RawResponse next = await connection.ReadResponseAsync();
        Assert.Equal(206, next.Status);
        Assert.Equal(s_mp4.AsSpan(0, 10).ToArray(), next.Body);
    }

    [Fact]
    public async Task IfNoneMatchStarIs304ForAnExistingVideo()
    {
        using RawHttpConnection connection = await RawHttpConnection.ConnectAsync(server.HttpEndPoint);
        await connection.SendAsync(RawHttpConnection.Request("GET", "/videos/clip.mp4", "If-None-Match: *"));

        Assert.Equal(304, (await connection.ReadResponseAsync()).Status);
    }
}
