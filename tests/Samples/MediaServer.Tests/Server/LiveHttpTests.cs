using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using MediaServer.Live;
using MediaServer.Tests.Infrastructure;
using ZeroCopy.Tests.Infrastructure;

namespace MediaServer.Tests.Server;

/// <summary>The live endpoints over raw HTTP, with a test publisher that sends a known transport stream.</summary>
public sealed class LiveHttpTests(ServerFixture server) : IClassFixture<ServerFixture>, IDisposable
{
    private static readonly byte[] s_stream = MediaFiles.Bytes(MediaFiles.TransportStream);
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);

    public void Dispose() => server.Logs.AssertNoFaults();

    /// <summary>Sends <paramref name="bytes"/> to <paramref name="socket"/> in pieces of <paramref name="piece"/> bytes (not packet-aligned), one every <paramref name="interval"/>.</summary>
    private static async Task PaceAsync(Socket socket, byte[] bytes, int piece, TimeSpan interval)
    {
        using var timeout = new CancellationTokenSource(s_timeout);
        for (int offset = 0; offset < bytes.Length; offset += piece)
        {
            await socket.SendAsync(bytes.AsMemory(offset, Math.Min(piece, bytes.Length - offset)), SocketFlags.None, timeout.Token);
            await Task.Delay(interval, timeout.Token);
        }
    }

    /// <summary>Asserts that <paramref name="received"/> is the tail of <paramref name="sent"/> from some packet on, after at most a few preamble packets.</summary>
    private static void AssertIsStreamTail(byte[] sent, byte[] received)
    {
        Assert.Equal(0, received.Length % 188);
        Assert.Equal(0, TransportStreamBuilder.PidAt(received, 0)); // A viewer starts with the PAT.
        for (int preamble = 0; preamble <= 4; preamble++)
        {
            int start = sent.AsSpan().IndexOf(received.AsSpan(preamble * 188, 188 * 8));
            if (start >= 0)
            {
                byte[] tail = received[(preamble * 188)..];
                int length = Math.Min(tail.Length, sent.Length - start);
                int differ = tail.AsSpan(0, length).CommonPrefixLength(sent.AsSpan(start, length));
                Assert.True(differ == length && tail.Length == sent.Length - start,
                    $"the viewer's stream (from its packet {preamble}) matches the ingested one from byte {start} only for {differ} of {tail.Length} bytes ({sent.Length - start} were ingested from there)");
                return;
            }
        }

        Assert.Fail("the viewer's stream is not a tail of the ingested stream");
    }

    [Fact]
    public async Task AViewerReceivesExactlyTheIngestedBytesFromASyncPoint()
    {
        using var publisher = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await publisher.ConnectAsync(server.Server.IngestEndPoint);
        Task push = PaceAsync(publisher, s_stream, 1000, TimeSpan.FromMilliseconds(4));
        await LiveHelpers.WaitForChannelAsync(server, ChannelName.TcpIngest, minBytes: 100_000);

        using Socket viewer = await LiveHelpers.ConnectViewerAsync(server.HttpEndPoint, ChannelName.TcpIngest);
        Task<(string Head, byte[] Body)> watch = LiveHelpers.ReadToEndAsync(viewer, s_timeout);
        await push;
        publisher.Shutdown(SocketShutdown.Send);
        (string head, byte[] body) = await watch;

        Assert.StartsWith("HTTP/1.1 200 OK", head, StringComparison.Ordinal);
        AssertIsStreamTail(s_stream, body);
        await LiveHelpers.WaitForChannelGoneAsync(server, ChannelName.TcpIngest);
    }

    [Fact]
    public async Task AContentLengthPutIsReceivedWholeAndAnsweredWith204()
    {
        using RawHttpConnection publisher = await RawHttpConnection.ConnectAsync(server.HttpEndPoint);
        await publisher.SendAsync(RawHttpConnection.Request("PUT", "/live/sized", $"Content-Length: {s_stream.Length}", "Content-Type: video/mp2t"));
        Task push = PaceAsync(publisher.Socket, s_stream, 4000, TimeSpan.FromMilliseconds(5));
        await LiveHelpers.WaitForChannelAsync(server, "sized", minBytes: 100_000);

        using Socket viewer = await LiveHelpers.ConnectViewerAsync(server.HttpEndPoint, "sized");
        Task<(string Head, byte[] Body)> watch = LiveHelpers.ReadToEndAsync(viewer, s_timeout);
        await push;
        RawResponse response = await publisher.ReadResponseAsync();
        (_, byte[] body) = await watch;

        Assert.Equal(204, response.Status);
        AssertIsStreamTail(s_stream, body);

        // The publisher's connection stays usable for another request.
        await publisher.SendAsync(RawHttpConnection.Request("GET", "/live"));
        Assert.Equal(200, (await publisher.ReadResponseAsync()).Status);
    }

    [Fact]
    public async Task AChunkedPutWithOddChunksAndBufferedBodyBytesIsReceivedExactly()
    {
        // The head, the first chunks and part of a payload arrive in one send: the server must write those from its
        // head buffer, then receive the rest straight into the ring.
        var body = new MemoryStream();
        var random = new Random(5);
        for (int offset = 0; offset < s_stream.Length;)
        {
            int length = Math.Min(random.Next(1, 9000), s_stream.Length - offset);
            body.Write(Encoding.ASCII.GetBytes($"{length:x}{(random.Next(4) == 0 ? ";ext=1" : string.Empty)}\r\n"));
            body.Write(s_stream, offset, length);
            body.Write("\r\n"u8);
            offset += length;
        }

        body.Write("0\r\nX-Trailer: yes\r\n\r\n"u8);
        byte[] head = Encoding.ASCII.GetBytes(RawHttpConnection.Request("PUT", "/live/chunky", "Transfer-Encoding: chunked"));
        byte[] request = [.. head, .. body.ToArray()];

        using RawHttpConnection publisher = await RawHttpConnection.ConnectAsync(server.HttpEndPoint);
        await publisher.SendAsync(request[..(head.Length + 20_000)]);
        await LiveHelpers.WaitForChannelAsync(server, "chunky", minBytes: 10_000);
        using Socket viewer = await LiveHelpers.ConnectViewerAsync(server.HttpEndPoint, "chunky");
        Task<(string Head, byte[] Body)> watch = LiveHelpers.ReadToEndAsync(viewer, s_timeout);
        await Task.Delay(200);
        await PaceAsync(publisher.Socket, request[(head.Length + 20_000)..], 3333, TimeSpan.FromMilliseconds(3));
        RawResponse response = await publisher.ReadResponseAsync();
        (_, byte[] received) = await watch;

        Assert.Equal(204, response.Status);
        AssertIsStreamTail(s_stream, received);
    }

    [Fact]
    public async Task TheChannelListShowsPublishersAndViewers()
    {
        using var publisher = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await publisher.ConnectAsync(server.Server.IngestEndPoint);
        await publisher.SendAsync(s_stream.AsMemory(0, 188 * 1000), SocketFlags.None);
        await LiveHelpers.WaitForChannelAsync(server, ChannelName.TcpIngest, minBytes: 188 * 1000);
        using Socket viewer = await LiveHelpers.ConnectViewerAsync(server.HttpEndPoint, ChannelName.TcpIngest);
        await viewer.ReceiveAsync(new byte[1024], SocketFlags.None).WaitAsync(s_timeout);

        using RawHttpConnection connection = await RawHttpConnection.ConnectAsync(server.HttpEndPoint);
        await connection.SendAsync(RawHttpConnection.Request("GET", "/live"));
        RawResponse response = await connection.ReadResponseAsync();
        using JsonDocument json = JsonDocument.Parse(response.Body);
        JsonElement channel = json.RootElement.EnumerateArray().Single(c => c.GetProperty("name").GetString() == "live");

        Assert.Equal("application/json", response.Header("Content-Type"));
        Assert.Equal(188 * 1000, channel.GetProperty("bytes").GetInt64());
        Assert.Equal(1, channel.GetProperty("viewers").GetInt32());
        Assert.Equal("tcp", channel.GetProperty("transport").GetString());
        Assert.Equal("/live/live", channel.GetProperty("url").GetString());

        publisher.Shutdown(SocketShutdown.Both);
        await LiveHelpers.WaitForChannelGoneAsync(server, ChannelName.TcpIngest);
    }

    [Fact]
    public async Task ASecondPublisherOnABusyChannelIsRefused()
    {
        using RawHttpConnection first = await LiveHelpers.HoldChannelAsync(server, "busy");
        await LiveHelpers.AssertPutRefusedAsync(server, "busy", 409, "channel 'busy' already has a publisher");

        // A second raw TCP push while one is live is refused too.
        using var tcpFirst = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await tcpFirst.ConnectAsync(server.Server.IngestEndPoint);
        await tcpFirst.SendAsync(s_stream.AsMemory(0, 188 * 10), SocketFlags.None);
        await LiveHelpers.WaitForChannelAsync(server, ChannelName.TcpIngest, minBytes: 188 * 10);
        await LiveHelpers.AssertTcpPushRefusedAsync(server, $"channel '{ChannelName.TcpIngest}' already has a publisher");

        await LiveHelpers.EndHeldChannelAsync(server, first, "busy");
        tcpFirst.Shutdown(SocketShutdown.Both);
        await LiveHelpers.WaitForChannelGoneAsync(server, ChannelName.TcpIngest);
    }

    [Theory]
    [InlineData("GET /live/nobody HTTP/1.1\r\nHost: a\r\n\r\n", 404)]
    [InlineData("HEAD /live/nobody HTTP/1.1\r\nHost: a\r\n\r\n", 404)]
    [InlineData("PUT /live/empty HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n", 400)]
    [InlineData("PUT /live/.hidden HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nabcd", 400)]
    [InlineData("PUT /live/bad%20name HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nabcd", 400)]
    [InlineData("DELETE /live/x HTTP/1.1\r\nHost: a\r\n\r\n", 405)]
    [InlineData("PUT /live HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nabcd", 405)]
    public async Task BadLiveRequestsGetTheRightStatus(string request, int status)
    {
        using RawHttpConnection connection = await RawHttpConnection.ConnectAsync(server.HttpEndPoint);
        await connection.SendAsync(request);

        Assert.Equal(status, (await connection.ReadResponseAsync(isHead: request.StartsWith("HEAD", StringComparison.Ordinal))).Status);
    }

    [Fact]
    public async Task MalformedChunkFramingGets400AndEndsTheChannel()
    {
        using RawHttpConnection publisher = await RawHttpConnection.ConnectAsync(server.HttpEndPoint);
        await publisher.SendAsync(RawHttpConnection.Request("PUT", "/live/broken", "Transfer-Encoding: chunked") + "4\r\nabcd\r\nzz\r\n");
        RawResponse response = await publisher.ReadResponseAsync();

        Assert.Equal(400, response.Status);
        Assert.True(await publisher.IsClosedByServerAsync());
        await LiveHelpers.WaitForChannelGoneAsync(server, "broken");
    }

    [Fact]
    public async Task ExpectContinueGets100BeforeTheBody()
    {
        using RawHttpConnection publisher = await RawHttpConnection.ConnectAsync(server.HttpEndPoint);
        await publisher.SendAsync(RawHttpConnection.Request("PUT", "/live/polite", "Content-Length: 376", "Expect: 100-continue"));
        RawResponse interim = await publisher.ReadResponseAsync();
        Assert.Equal(100, interim.Status);

        await publisher.SendAsync(s_stream[..376]);
        Assert.Equal(204, (await publisher.ReadResponseAsync()).Status);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task APutWhoseBodyEndsShortGets400ThenAClose(bool chunked)
    {
        // Issue 11: a publisher that shut down its side early was closed with no answer.
        using RawHttpConnection publisher = await RawHttpConnection.ConnectAsync(server.HttpEndPoint);
        string name = chunked ? "short-chunked" : "short-sized";
        string head = RawHttpConnection.Request("PUT", "/live/" + name, chunked ? "Transfer-Encoding: chunked" : $"Content-Length: {s_stream.Length}");
        await publisher.SendAsync(head + (chunked ? "5e0\r\n" : string.Empty));
        await publisher.SendAsync(s_stream[..1504]);
        publisher.Socket.Shutdown(SocketShutdown.Send);
        RawResponse response = await publisher.ReadResponseAsync();

        Assert.Equal(400, response.Status);
        Assert.Equal("close", response.Header("Connection"));
        Assert.Contains(chunked ? "before the last chunk" : $"after 1504 of {s_stream.Length} body bytes", response.Text, StringComparison.Ordinal);
        Assert.True(await publisher.IsClosedByServerAsync());
        await LiveHelpers.WaitForChannelGoneAsync(server, name);
    }
}
