using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using ZeroCopy.AspNetCore.Tests.Infrastructure;

namespace ZeroCopy.AspNetCore.Tests.Caching;

public class ClientDisconnectTests(VideoServerFixture server) : IClassFixture<VideoServerFixture>
{
    [Fact]
    public async Task ClientThatLeavesMidBodyEndsTheResponseQuietlyAndTheServerGoesOn()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        for (int i = 0; i < 3; i++)
        {
            using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, server.App.BaseAddress.Port), timeout.Token);
            await socket.SendAsync(Encoding.ASCII.GetBytes("GET /large HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"), SocketFlags.None, timeout.Token);
            int received = 0;
            byte[] buffer = new byte[64 * 1024];
            while (received < 1024 * 1024)
            {
                int count = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
                Assert.True(count > 0, $"the server closed after {received} bytes");
                received += count;
            }

            socket.LingerState = new LingerOption(true, 0); // a reset, mid-body
        }

        await server.App.WaitForLogAsync(entry => entry.Category == "ZeroCopy.AspNetCore" && entry.Message.Contains("/large", StringComparison.Ordinal), "about the client that left");
        using HttpResponseMessage next = await server.Client.GetAsync("/video");
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        Assert.Equal(VideoServerFixture.VideoSize, (await next.Content.ReadAsByteArrayAsync()).Length);
        Assert.DoesNotContain(server.App.Logs.Entries, entry => entry.Level >= LogLevel.Warning);
    }
}
