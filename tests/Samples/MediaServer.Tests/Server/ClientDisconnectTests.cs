using System.Diagnostics;
using System.Net.Sockets;
using MediaServer.Tests.Infrastructure;

namespace MediaServer.Tests.Server;

public sealed class ClientDisconnectTests(ServerFixture server) : IClassFixture<ServerFixture>, IDisposable
{
    public void Dispose() => server.Logs.AssertNoFaults();

    [Theory]
    [InlineData(true)] // reset (RST): the send fails at once
    [InlineData(false)] // orderly close (FIN): the send fails a little later
    public async Task ClientsLeavingMidResponseDoNotBreakTheServer(bool reset)
    {
        byte[] file = MediaFiles.Bytes(MediaFiles.Mp4);
        for (int i = 0; i < 20; i++)
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
            await socket.ConnectAsync(server.HttpEndPoint);
            await socket.SendAsync("GET /videos/clip.mp4 HTTP/1.1\r\nHost: a\r\n\r\n"u8.ToArray(), SocketFlags.None);
            byte[] some = new byte[512];
            await socket.ReceiveAsync(some, SocketFlags.None).WaitAsync(TimeSpan.FromSeconds(10));
            if (reset)
            {
                socket.LingerState = new LingerOption(true, 0);
            }

            socket.Dispose();
        }

        using RawHttpConnection connection = await RawHttpConnection.ConnectAsync(server.HttpEndPoint);
        await connection.SendAsync(RawHttpConnection.Request("GET", "/videos/clip.mp4"));
        Assert.Equal(file, (await connection.ReadResponseAsync()).Body);
    }

    [Fact]
    public async Task ClientsLeavingMidHeadDoNotBreakTheServer()
    {
        for (int i = 0; i < 10; i++)
        {
            using RawHttpConnection partial = await RawHttpConnection.ConnectAsync(server.HttpEndPoint);
            await partial.SendAsync("GET /videos/clip.mp4 HTTP/1.1\r\nHo");
        }

        using RawHttpConnection connection = await RawHttpConnection.ConnectAsync(server.HttpEndPoint);
        await connection.SendAsync(RawHttpConnection.Request("GET", "/videos"));
        Assert.Equal(200, (await connection.ReadResponseAsync()).Status);
    }

    [Fact]
    public async Task ConnectionsAreReleasedAfterClientsLeave()
    {
        for (int i = 0; i < 10; i++)
        {
            using RawHttpConnection connection = await RawHttpConnection.ConnectAsync(server.HttpEndPoint);
            await connection.SendAsync(RawHttpConnection.Request("GET", "/videos/clip.mp4", "Range: bytes=0-99"));
            await connection.ReadResponseAsync();
        }

        var clock = Stopwatch.StartNew();
        while (server.Server.ConnectionCount > 0 && clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(50);
        }

        Assert.Equal(0, server.Server.ConnectionCount);
    }

    [Fact]
    public async Task ManyConcurrentClientsGetExactBytes()
    {
        byte[] file = MediaFiles.Bytes(MediaFiles.Mp4);
        Task[] clients = Enumerable.Range(0, 24).Select(async client =>
        {
            var random = new Random(client);
            using RawHttpConnection connection = await RawHttpConnection.ConnectAsync(server.HttpEndPoint);
            for (int request = 0; request < 10; request++)
            {
                int offset = random.Next(file.Length);
                int length = random.Next(1, file.Length - offset + 1);
                await connection.SendAsync(RawHttpConnection.Request("GET", "/videos/clip.mp4", $"Range: bytes={offset}-{offset + length - 1}"));
                RawResponse response = await connection.ReadResponseAsync();
                Assert.Equal(206, response.Status);
                Assert.True(file.AsSpan(offset, length).SequenceEqual(response.Body), $"bytes {offset}-{offset + length - 1} differ");
            }
        }).ToArray();

        await Task.WhenAll(clients).WaitAsync(TimeSpan.FromSeconds(60));
    }
}
