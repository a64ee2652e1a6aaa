using System.Net.Sockets;
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
    private const string Reason = "the server already carries 1 live channels";

    public void Dispose() => server.Logs.AssertNoFaults();

    [Fact]
    public async Task APublisherBeyondTheLimitGets503OverHttpAndALoggedReasonOverTcp()
    {
        using RawHttpConnection first = await RawHttpConnection.ConnectAsync(server.HttpEndPoint);
        await first.SendAsync(RawHttpConnection.Request("PUT", "/live/only", "Transfer-Encoding: chunked") + "10\r\n");
        await LiveHelpers.WaitForChannelAsync(server, "only", minBytes: 0);

        using RawHttpConnection second = await RawHttpConnection.ConnectAsync(server.HttpEndPoint);
        await second.SendAsync(RawHttpConnection.Request("PUT", "/live/other", "Transfer-Encoding: chunked") + "10\r\n");
        RawResponse refused = await second.ReadResponseAsync();
        Assert.Equal(503, refused.Status);
        Assert.Contains(Reason, refused.Text, StringComparison.Ordinal);
        Assert.True(await second.IsClosedByServerAsync());

        // Raw TCP cannot answer: the connection closes, and the log says why (logged before the close).
        using var tcp = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await tcp.ConnectAsync(server.Server.IngestEndPoint);
        Assert.Equal(0, await tcp.ReceiveAsync(new byte[16], SocketFlags.None).WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains(server.Logs.Entries, entry => entry.EventId.Id == 302
            && entry.Message.StartsWith($"live '{ChannelName.TcpIngest}': refused publisher ", StringComparison.Ordinal)
            && entry.Message.EndsWith(": " + Reason, StringComparison.Ordinal));
        Assert.False(server.Server.Channels.TryGet(ChannelName.TcpIngest, out _));

        await first.SendAsync("0123456789abcdef\r\n0\r\n\r\n");
        Assert.Equal(204, (await first.ReadResponseAsync()).Status);
        await LiveHelpers.WaitForChannelGoneAsync(server, "only");
    }
}
