using MediaServer.Cli;
using MediaServer.Tests.Infrastructure;

namespace MediaServer.Tests.Server;

/// <summary>A server with short timeouts, so that idle and slow clients are dropped within the test.</summary>
public sealed class ShortTimeoutFixture : ServerFixture
{
    internal override MediaServerOptions Configure(MediaServerOptions options) => options with
    {
        Limits = options.Limits with { IdleTimeout = TimeSpan.FromSeconds(1), HeadTimeout = TimeSpan.FromSeconds(1) },
    };
}

/// <summary>A server whose new connections must send their first request within 1 s, while served ones may idle 30 s.</summary>
public sealed class ShortFirstRequestFixture : ServerFixture
{
    internal override MediaServerOptions Configure(MediaServerOptions options) => options with
    {
        Limits = options.Limits with { FirstRequestTimeout = TimeSpan.FromSeconds(1) },
    };
}

/// <summary>Issue 11: a connection that never sends a byte no longer holds its slot for the whole keep-alive idle time.</summary>
public sealed class FirstRequestTimeoutTests(ShortFirstRequestFixture server) : IClassFixture<ShortFirstRequestFixture>, IDisposable
{
    public void Dispose() => server.Logs.AssertNoFaults();

    [Fact]
    public async Task ASilentNewConnectionIsClosedAfterTheFirstRequestTimeout()
    {
        using RawHttpConnection connection = await RawHttpConnection.ConnectAsync(server.HttpEndPoint);

        Assert.True(await connection.IsClosedByServerAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task AServedConnectionKeepsTheLongerIdleTimeout()
    {
        using RawHttpConnection connection = await RawHttpConnection.ConnectAsync(server.HttpEndPoint);
        await connection.SendAsync(RawHttpConnection.Request("GET", "/videos"));
        Assert.Equal(200, (await connection.ReadResponseAsync()).Status);

        Assert.False(await connection.IsClosedByServerAsync(TimeSpan.FromSeconds(3)), "the keep-alive idle time (30 s) applies after the first request");
        await connection.SendAsync(RawHttpConnection.Request("GET", "/videos"));
        Assert.Equal(200, (await connection.ReadResponseAsync()).Status);
    }
}

public sealed class TimeoutTests(ShortTimeoutFixture server) : IClassFixture<ShortTimeoutFixture>, IDisposable
{
    public void Dispose() => server.Logs.AssertNoFaults();

    [Fact]
    public async Task AnIdleKeepAliveConnectionIsClosed()
    {
        using RawHttpConnection connection = await RawHttpConnection.ConnectAsync(server.HttpEndPoint);
        await connection.SendAsync(RawHttpConnection.Request("GET", "/videos"));
        Assert.Equal(200, (await connection.ReadResponseAsync()).Status);

        Assert.True(await connection.IsClosedByServerAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task AHeadTrickledTooSlowlyGets408()
    {
        using RawHttpConnection connection = await RawHttpConnection.ConnectAsync(server.HttpEndPoint);
        await connection.SendAsync("GET /videos HTTP/1.1\r\n");
        RawResponse response = await connection.ReadResponseAsync(timeout: TimeSpan.FromSeconds(5));

        Assert.Equal(408, response.Status);
        Assert.True(await connection.IsClosedByServerAsync(TimeSpan.FromSeconds(5)));
    }
}
