using System.Net;
using System.Net.Sockets;
using ChunkServer.Server;

namespace ChunkServer.Tests;

public class IdleTimeoutTests
{
    [Fact]
    public async Task SilentClientIsDisconnectedAfterTheIdleTimeout()
    {
        using VideoLibrary library = VideoLibrary.CreateDemo(4096, 4096);
        var listener = new ChunkListener(library, new IPEndPoint(IPAddress.Loopback, 0), new ChunkServerOptions { IdleTimeout = TimeSpan.FromMilliseconds(200) });
        await using (listener)
        {
            using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(listener.LocalEndPoint);

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            int received = await socket.ReceiveAsync(new byte[16], SocketFlags.None, timeout.Token);

            Assert.Equal(0, received); // closed by the server, long before the test's own timeout
        }
    }

    [Fact]
    public async Task StoppingTheServerClosesOpenConnections()
    {
        using VideoLibrary library = VideoLibrary.CreateDemo(4096, 4096);
        var listener = new ChunkListener(library, new IPEndPoint(IPAddress.Loopback, 0));
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(listener.LocalEndPoint);
        await Task.Delay(50);

        await listener.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        Assert.Equal(0, await socket.ReceiveAsync(new byte[16], SocketFlags.None, timeout.Token));
    }
}
