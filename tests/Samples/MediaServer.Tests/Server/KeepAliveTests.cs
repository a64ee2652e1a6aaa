using System.Net.Sockets;
using MediaServer.Tests.Infrastructure;

namespace MediaServer.Tests.Server;

public sealed class KeepAliveTests(ServerFixture server) : IClassFixture<ServerFixture>, IDisposable
{
    public void Dispose() => server.Logs.AssertNoFaults();

    [Fact]
    public async Task OneConnectionServesManyRequestsOfEveryKind()
    {
        using RawHttpConnection connection = await RawHttpConnection.ConnectAsync(server.HttpEndPoint);
        (string Request, int Status, bool IsHead)[] exchanges =
        [
            (RawHttpConnection.Request("GET", "/videos/clip.mp4", "Range: bytes=0-1023"), 206, false),
            (RawHttpConnection.Request("HEAD", "/videos/clip.mp4"), 200, true),
            (RawHttpConnection.Request("GET", "/videos/nope.mp4"), 404, false),
            (RawHttpConnection.Request("GET", "/videos/clip.mp4", "Range: bytes=999999999-"), 416, false),
            (RawHttpConnection.Request("POST", "/videos"), 405, false),
            (RawHttpConnection.Request("GET", "/videos"), 200, false),
            (RawHttpConnection.Request("GET", "/videos/clip.mp4/chunk?t=00:00:01:00&size=10"), 206, false),
            (RawHttpConnection.Request("GET", "/"), 200, false),
        ];

        for (int round = 0; round < 3; round++)
        {
            foreach ((string request, int status, bool isHead) in exchanges)
            {
                await connection.SendAsync(request);
                RawResponse response = await connection.ReadResponseAsync(isHead);
                Assert.Equal(status, response.Status);
                Assert.False(response.Headers.ContainsKey("Connection"), $"the server asked to close after {request}");
            }
        }
    }

    [Fact]
    public async Task PipelinedRequestsAreAnsweredInOrder()
    {
        using RawHttpConnection connection = await RawHttpConnection.ConnectAsync(server.HttpEndPoint);
        await connection.SendAsync(
            RawHttpConnection.Request("GET", "/videos/clip.mp4", "Range: bytes=0-3")
            + RawHttpConnection.Request("GET", "/videos/nothing")
            + RawHttpConnection.Request("GET", "/videos/clip.mp4", "Range: bytes=4-7"));

        RawResponse first = await connection.ReadResponseAsync();
        RawResponse second = await connection.ReadResponseAsync();
        RawResponse third = await connection.ReadResponseAsync();

        byte[] file = MediaFiles.Bytes(MediaFiles.Mp4);
        Assert.Equal(file[..4], first.Body);
        Assert.Equal(404, second.Status);
        Assert.Equal(file[4..8], third.Body);
    }

    [Theory]
    [InlineData("GET /videos HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")]
    [InlineData("GET /videos HTTP/1.0\r\n\r\n")]
    public async Task TheServerClosesWhenTheClientAsksOrSpeaksHttp10(string request)
    {
        using RawHttpConnection connection = await RawHttpConnection.ConnectAsync(server.HttpEndPoint);
        await connection.SendAsync(request);
        RawResponse response = await connection.ReadResponseAsync();

        Assert.Equal(200, response.Status);
        Assert.Equal("close", response.Header("Connection"));
        Assert.True(await connection.IsClosedByServerAsync());
    }

    [Fact]
    public async Task HttpClientReusesOneConnectionForSequentialRequests()
    {
        int connections = 0;
        using var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                Interlocked.Increment(ref connections);
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        using var client = new HttpClient(handler) { BaseAddress = server.BaseUri, Timeout = TimeSpan.FromSeconds(30) };

        for (int i = 0; i < 10; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "videos/clip.mp4");
            request.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(i * 1000, (i * 1000) + 999);
            using HttpResponseMessage response = await client.SendAsync(request);
            Assert.Equal(1000, (await response.Content.ReadAsByteArrayAsync()).Length);
        }

        Assert.Equal(1, connections);
    }
}
