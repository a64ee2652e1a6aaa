using MediaServer.Cli;
using MediaServer.Live;
using MediaServer.Tests.Infrastructure;

namespace MediaServer.Tests.Server;

/// <summary>A server that carries one live channel at most, so a second publisher meets the limit.</summary>
public sealed class OneChannelFixture : ServerFixture
{
    internal override MediaServerOptions Configure(MediaServerOptions options) => options with { MaxChannels = 1 };
}

/// <summary>Publishers refused at the channel limit: each transport says why in its own way.</summary>
public sealed class ChannelLimitTests(OneChannelFixture server) : IClassFixture<OneChannelFixture>, IDisposable
{
    public void Dispose() => server.Logs.AssertNoFaults();

    [Fact]
    public async Task APublisherBeyondTheLimitGets503OverHttpAndALoggedReasonOverTcp()
    {
        using RawHttpConnection first = await LiveHelpers.HoldChannelAsync(server, "only");

        await LiveHelpers.AssertPutRefusedAsync(server, "other", 503, "the server already carries 1 live channels");
        await LiveHelpers.AssertTcpPushRefusedAsync(server, "the server already carries 1 live channels");
        Assert.False(server.Server.Channels.TryGet(ChannelName.TcpIngest, out _));

        await LiveHelpers.EndHeldChannelAsync(server, first, "only");
    }
}
