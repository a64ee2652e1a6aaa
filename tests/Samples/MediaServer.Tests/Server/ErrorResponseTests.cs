using System.Text;
using MediaServer.Tests.Infrastructure;

namespace MediaServer.Tests.Server;

public sealed class ErrorResponseTests(ServerFixture server) : IClassFixture<ServerFixture>, IDisposable
{
    public void Dispose() => server.Logs.AssertNoFaults();

    [Theory]
    [InlineData("/nothing")]
    [InlineData("/videos/nope.mp4")]
    [InlineData("/videos/")]
    [InlineData("/videos/clip.mp4/other")]
    [InlineData("/favicon.ico")]
    public async Task UnknownPathsAre404AndTheConnectionSurvives(string target)
    {
        using RawHttpConnection connection = await RawHttpConnection.ConnectAsync(server.HttpEndPoint);
        await connection.SendAsync(RawHttpConnection.Request("GET", target));
        Assert.Equal(404, (await connection.ReadResponseAsync()).Status);

        await connection.SendAsync(RawHttpConnection.Request("GET", "/videos"));
        Assert.Equal(200, (await connection.ReadResponseAsync()).Status);
    }

    [Theory]
    [InlineData("/videos/..%2f..%2f..%2fetc%2fpasswd")]
    [InlineData("/videos/..%2F..%2FMediaServer.dll")]
    [InlineData("/videos/../../etc/passwd")]
    [InlineData("/videos/%2e%2e/%2e%2e/etc/passwd")]
    [InlineData("/videos/%2e%2e%2f%2e%2e%2fetc%2fpasswd")]
    [InlineData("/videos/..%5c..%5cclip.mp4")]
    [InlineData("/videos/%2fetc%2fpasswd")]
    [InlineData("/videos//etc/passwd")]
    [InlineData("/videos/media%2fclip.mp4")]
    [InlineData("/videos/.%2fclip.mp4")]
    [InlineData("/videos/clip.mp4%00")]
    [InlineData("/videos/clip.mp4%00.txt")]
    [InlineData("/videos/CLIP.MP4")]
    [InlineData("/videos/%2e%2e%2fmedia%2fclip.mp4/chunk?t=00:00:00:00&size=10")]
    public async Task PathTraversalAttemptsAre404(string target)
    {
        using RawHttpConnection connection = await RawHttpConnection.ConnectAsync(server.HttpEndPoint);
        await connection.SendAsync(RawHttpConnection.Request("GET", target));

        Assert.Equal(404, (await connection.ReadResponseAsync()).Status);
    }

    [Theory]
    [InlineData("POST", "/videos/clip.mp4")]
    [InlineData("DELETE", "/")]
    [InlineData("PUT", "/videos")]
    [InlineData("OPTIONS", "/videos/clip.mp4/chunk")]
    [InlineData("get", "/videos")] // methods are case-sensitive
    public async Task OtherMethodsOnKnownPathsAre405WithAllow(string method, string target)
    {
        using RawHttpConnection connection = await RawHttpConnection.ConnectAsync(server.HttpEndPoint);
        await connection.SendAsync(RawHttpConnection.Request(method, target));
        RawResponse response = await connection.ReadResponseAsync();

        Assert.Equal(405, response.Status);
        Assert.Equal("GET, HEAD", response.Header("Allow"));
    }

    [Theory]
    [InlineData("hello\r\n\r\n", 400)]
    [InlineData("GET / HTTP/1.1\r\n\r\n", 400)] // no Host
    [InlineData("GET /\r\n\r\n", 400)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nBad Header: x\r\n\r\n", 400)]
    [InlineData("GET /videos/%zz HTTP/1.1\r\nHost: a\r\n\r\n", 400)]
    [InlineData("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505)] // an HTTP/2 preface
    [InlineData("GET /videos HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello", 413)] // a body where none is taken
    [InlineData("GET /videos HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 413)]
    [InlineData("GET /videos HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", 501)]
    public async Task MalformedRequestsGetAnErrorThenACleanClose(string request, int status)
    {
        using RawHttpConnection connection = await RawHttpConnection.ConnectAsync(server.HttpEndPoint);
        await connection.SendAsync(request);
        RawResponse response = await connection.ReadResponseAsync();

        Assert.Equal(status, response.Status);
        Assert.Equal("close", response.Header("Connection"));
        Assert.True(await connection.IsClosedByServerAsync());
    }

    [Fact]
    public async Task BinaryGarbageGets400AndACleanClose()
    {
        byte[] garbage = new byte[4096];
        new Random(1234).NextBytes(garbage);
        garbage[0] = 0x16; // A TLS record: what an https:// client sends first.

        using RawHttpConnection connection = await RawHttpConnection.ConnectAsync(server.HttpEndPoint);
        await connection.SendAsync(garbage);
        RawResponse response = await connection.ReadResponseAsync();

        Assert.Equal(400, response.Status);
        Assert.True(await connection.IsClosedByServerAsync());
    }

    [Fact]
    public async Task OversizedHeadersGet431AndTheServerKeepsServing()
    {
        using (RawHttpConnection connection = await RawHttpConnection.ConnectAsync(server.HttpEndPoint))
        {
            string big = string.Concat(Enumerable.Range(0, 40).Select(i => $"X-Filler-{i}: {new string('x', 1000)}\r\n"));
            await connection.SendAsync("GET /videos HTTP/1.1\r\nHost: a\r\n" + big + "\r\n");
            RawResponse response = await connection.ReadResponseAsync();

            Assert.Equal(431, response.Status);
            Assert.True(await connection.IsClosedByServerAsync());
        }

        using RawHttpConnection next = await RawHttpConnection.ConnectAsync(server.HttpEndPoint);
        await next.SendAsync(RawHttpConnection.Request("GET", "/videos"));
        Assert.Equal(200, (await next.ReadResponseAsync()).Status);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task AHeadThatFillsTheBufferAfterEmptyLinesGets431(int emptyLines)
    {
        // Issue 11: the empty lines were not counted, so a full buffer looked incomplete and the connection closed silently.
        const int maxHeadSize = 16 * 1024;
        string prefix = string.Concat(Enumerable.Repeat("\r\n", emptyLines)) + "GET /videos HTTP/1.1\r\nHost: a\r\n";
        string head = prefix + "X-Fill: " + new string('f', maxHeadSize - prefix.Length - "X-Fill: ".Length);

        using RawHttpConnection connection = await RawHttpConnection.ConnectAsync(server.HttpEndPoint);
        await connection.SendAsync(head);
        RawResponse response = await connection.ReadResponseAsync();

        Assert.Equal(431, response.Status);
        Assert.True(await connection.IsClosedByServerAsync());
    }

    [Fact]
    public async Task TooManyHeaderFieldsGet431()
    {
        using RawHttpConnection connection = await RawHttpConnection.ConnectAsync(server.HttpEndPoint);
        await connection.SendAsync("GET /videos HTTP/1.1\r\nHost: a\r\n" + string.Concat(Enumerable.Range(0, 150).Select(i => $"X-{i}: {i}\r\n")) + "\r\n");

        Assert.Equal(431, (await connection.ReadResponseAsync()).Status);
    }

    [Fact]
    public async Task AnOverlongRequestLineGets414()
    {
        using RawHttpConnection connection = await RawHttpConnection.ConnectAsync(server.HttpEndPoint);
        await connection.SendAsync($"GET /{new string('a', 10_000)} HTTP/1.1\r\nHost: a\r\n\r\n");

        Assert.Equal(414, (await connection.ReadResponseAsync()).Status);
    }

    [Fact]
    public async Task ErrorBodiesAreShortPlainText()
    {
        using RawHttpConnection connection = await RawHttpConnection.ConnectAsync(server.HttpEndPoint);
        await connection.SendAsync(RawHttpConnection.Request("GET", "/videos/nope.mp4"));
        RawResponse response = await connection.ReadResponseAsync();

        Assert.Equal("text/plain; charset=utf-8", response.Header("Content-Type"));
        Assert.StartsWith("404 Not Found", Encoding.UTF8.GetString(response.Body));
    }
}
