using System.Net.Sockets;
using System.Text;
using MediaServer.AccessControl;
using MediaServer.Cli;
using MediaServer.Live;
using MediaServer.Tests.Infrastructure;

namespace MediaServer.Tests.AccessControl;

/// <summary>A server that requires a credential to publish: a key for cam1, a key for the raw ingest's channel, and tokens.</summary>
public sealed class PublishAuthFixture : ServerFixture
{
    public static readonly byte[] Secret = Encoding.UTF8.GetBytes("the-token-secret-of-the-tests");

    internal override MediaServerOptions Configure(MediaServerOptions options) => options with
    {
        PublishAuth = PublishAuth.Required,
        StreamKeys = new Dictionary<string, string> { ["cam1"] = "cam1-stream-key", ["live"] = "live-stream-key" },
        PublishSecret = Secret,
    };
}

/// <summary>Issue 11: who may publish, over PUT and over the raw TCP ingest.</summary>
public sealed class PublishAuthTests(PublishAuthFixture server) : IClassFixture<PublishAuthFixture>, IDisposable
{
    private static readonly byte[] s_stream = MediaFiles.Bytes(MediaFiles.TransportStream);

    public void Dispose() => server.Logs.AssertNoFaults();

    [Fact]
    public async Task APutWithItsStreamKeyIsAcceptedAndTheKeyIsNotLogged()
    {
        RawHttpConnection publisher = await LiveHelpers.HoldChannelAsync(server, "cam1", "key=cam1-stream-key");
        using (publisher)
        {
            await LiveHelpers.EndHeldChannelAsync(server, publisher, "cam1");
        }

        await server.Logs.AssertLoggedAsync(entry => entry.Message.StartsWith("PUT /live/cam1?key=*** -> 204", StringComparison.Ordinal), "the PUT with its key masked");
        Assert.DoesNotContain(server.Logs.Entries, entry => entry.Message.Contains("cam1-stream-key", StringComparison.Ordinal));
    }

    [Fact]
    public async Task APutWithASignedTokenIsAccepted()
    {
        string token = PublishCredentials.Sign(PublishAuthFixture.Secret, "signed", DateTimeOffset.UtcNow.AddMinutes(5));
        using RawHttpConnection publisher = await LiveHelpers.HoldChannelAsync(server, "signed", token);
        await LiveHelpers.EndHeldChannelAsync(server, publisher, "signed");
    }

    [Theory]
    [InlineData("", "publishing needs a stream key")]
    [InlineData("key=wrong-stream-key", "not valid")]
    [InlineData("key=live-stream-key", "not valid")] // another channel's key
    public async Task APutWithoutItsKeyIsRefusedWith403(string query, string reason)
    {
        await LiveHelpers.AssertPutRefusedAsync(server, "cam1", 403, reason, query);
        Assert.False(server.Server.Channels.TryGet("cam1", out _));
    }

    [Fact]
    public async Task AnExpiredTokenIsRefusedAsExpired()
    {
        string token = PublishCredentials.Sign(PublishAuthFixture.Secret, "late", DateTimeOffset.UtcNow.AddMinutes(-1));
        await LiveHelpers.AssertPutRefusedAsync(server, "late", 403, "the token has expired", token);
    }

    [Fact]
    public async Task ATamperedTokenIsRefusedAsInvalid()
    {
        string expired = PublishCredentials.Sign(PublishAuthFixture.Secret, "late", DateTimeOffset.UtcNow.AddMinutes(-1));
        string extended = "expires=" + DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds() + expired[expired.IndexOf('&', StringComparison.Ordinal)..];
        await LiveHelpers.AssertPutRefusedAsync(server, "late", 403, "not valid", extended);

        string forOther = PublishCredentials.Sign(PublishAuthFixture.Secret, "other", DateTimeOffset.UtcNow.AddMinutes(5));
        await LiveHelpers.AssertPutRefusedAsync(server, "late", 403, "not valid", forOther);
    }

    [Fact]
    public async Task ARawPushWithAKeyLineIsPublishedWithoutTheLine()
    {
        using var publisher = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await publisher.ConnectAsync(server.Server.IngestEndPoint);
        await publisher.SendAsync("key=live-stream-key\r\n"u8.ToArray());
        await publisher.SendAsync(s_stream.AsMemory(0, 188 * 100));
        LiveChannel channel = await LiveHelpers.WaitForChannelAsync(server, ChannelName.TcpIngest, minBytes: 188 * 100);

        // Exactly the stream went into the ring: the line was taken off the socket, nothing after it.
        Assert.Equal(188 * 100, channel.BytesReceived);
        publisher.Shutdown(SocketShutdown.Send);
        await LiveHelpers.WaitForChannelGoneAsync(server, ChannelName.TcpIngest);
    }

    [Fact]
    public async Task AKeyLineArrivingInPiecesIsTakenWholeAndNothingOfTheStreamAfterIt()
    {
        using var publisher = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await publisher.ConnectAsync(server.Server.IngestEndPoint);
        // The pauses only make it likely that the server sees the line in pieces; the test holds however they arrive.
        await publisher.SendAsync("key=li"u8.ToArray());
        await Task.Delay(100);
        await publisher.SendAsync("ve-stream-"u8.ToArray());
        await Task.Delay(100);
        byte[] lastPieceAndStream = [.. "key\r\n"u8, .. s_stream.AsSpan(0, 188 * 100)];
        await publisher.SendAsync(lastPieceAndStream);
        LiveChannel channel = await LiveHelpers.WaitForChannelAsync(server, ChannelName.TcpIngest, minBytes: 188 * 100);

        Assert.Equal(188 * 100, channel.BytesReceived);
        publisher.Shutdown(SocketShutdown.Send);
        await LiveHelpers.WaitForChannelGoneAsync(server, ChannelName.TcpIngest);
    }

    [Theory]
    [InlineData(null, "publishing needs a stream key")]
    [InlineData("key=cam1-stream-key\n", "not valid")]
    public async Task ARawPushWithoutItsKeyIsRefused(string? line, string reason)
    {
        using var publisher = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await publisher.ConnectAsync(server.Server.IngestEndPoint);
        if (line is not null)
        {
            await publisher.SendAsync(Encoding.ASCII.GetBytes(line));
        }

        await publisher.SendAsync(s_stream.AsMemory(0, 188 * 10));
        try
        {
            Assert.Equal(0, await publisher.ReceiveAsync(new byte[16], SocketFlags.None).WaitAsync(TimeSpan.FromSeconds(30)));
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            // Closed with the pushed bytes unread: a reset is how the close arrives.
        }

        Assert.Contains(server.Logs.Entries, entry => entry.EventId.Id == 302 && entry.Message.Contains(reason, StringComparison.Ordinal));
        Assert.False(server.Server.Channels.TryGet(ChannelName.TcpIngest, out _));
    }
}
