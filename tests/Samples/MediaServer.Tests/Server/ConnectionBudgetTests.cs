using System.Net;
using System.Net.Sockets;
using MediaServer.Cli;
using MediaServer.Tests.Infrastructure;

namespace MediaServer.Tests.Server;

/// <summary>A server whose connection budget a test can fill: 20 connections, 8 per client address.</summary>
public sealed class SmallBudgetFixture : ServerFixture
{
    internal override MediaServerOptions Configure(MediaServerOptions options) => options with
    {
        Limits = options.Limits with { MaxConnections = 20, MaxConnectionsPerAddress = 8 },
    };
}

/// <summary>Issue 11: one client address opening idle connections must not lock every other client out.</summary>
public sealed class ConnectionBudgetTests(SmallBudgetFixture server) : IClassFixture<SmallBudgetFixture>, IDisposable
{
    // Other addresses of the loopback network (127.0.0.0/8 is all loopback on Linux): other clients of the same server.
    private static readonly IPAddress s_otherClient = IPAddress.Parse("127.0.0.2");

    public void Dispose() => server.Logs.AssertNoFaults();

    [Fact]
    public async Task OneAddressHoldingIdleConnectionsCannotLockOthersOut()
    {
        // The attacker opens more idle connections than the whole server allows, all from 127.0.0.1.
        var idle = new List<Socket>();
        try
        {
            for (int i = 0; i < 30; i++)
            {
                idle.Add(await ConnectFromAsync(IPAddress.Loopback));
            }

            await WaitUntilAsync(() => server.Server.ConnectionCount == 8);

            using (RawHttpConnection sameAddress = await RawHttpConnection.ConnectAsync(server.HttpEndPoint))
            {
                Assert.True(await sameAddress.IsClosedByServerAsync(TimeSpan.FromSeconds(5)), "a ninth connection from the same address must be closed");
            }

            // Another client is served while the attacker still holds its budget.
            using Socket other = await ConnectFromAsync(s_otherClient);
            await other.SendAsync(System.Text.Encoding.ASCII.GetBytes(RawHttpConnection.Request("GET", "/videos")));
            byte[] answer = new byte[12];
            using var timeout = new CancellationTokenSource(RawHttpConnection.DefaultTimeout);
            await other.ReceiveAsync(answer, SocketFlags.None, timeout.Token);
            Assert.Equal("HTTP/1.1 200", System.Text.Encoding.ASCII.GetString(answer));
        }
        finally
        {
            idle.ForEach(socket => socket.Dispose());
        }

        // Once the attacker lets go, its address is served again.
        await WaitUntilAsync(() => server.Server.ConnectionCount == 0);
        using RawHttpConnection again = await RawHttpConnection.ConnectAsync(server.HttpEndPoint);
        await again.SendAsync(RawHttpConnection.Request("GET", "/videos"));
        Assert.Equal(200, (await again.ReadResponseAsync()).Status);
    }

    private async Task<Socket> ConnectFromAsync(IPAddress local)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(local, 0));
        using var timeout = new CancellationTokenSource(RawHttpConnection.DefaultTimeout);
        await socket.ConnectAsync(server.HttpEndPoint, timeout.Token);
        return socket;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(RawHttpConnection.DefaultTimeout);
        while (!condition())
        {
            await Task.Delay(20, timeout.Token);
        }
    }
}
