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
