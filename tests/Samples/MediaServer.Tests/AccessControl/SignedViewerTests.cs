using System.Net.Sockets;
using System.Text;
using MediaServer.AccessControl;
using MediaServer.Cli;
using MediaServer.Live;
using MediaServer.Tests.Infrastructure;

namespace MediaServer.Tests.AccessControl;

/// <summary>A server whose videos and channels need signed URLs.</summary>
public sealed class SignedViewerFixture : ServerFixture
{
    public static readonly byte[] Secret = Encoding.UTF8.GetBytes("the-viewer-secret-of-the-tests");

    internal override MediaServerOptions Configure(MediaServerOptions options) => options with { ViewerSecret = Secret };
}

/// <summary>Issue 11, optional part: signed URLs for viewers, the same tokens as publishers', signed for a resource path.</summary>
public sealed class SignedViewerTests(SignedViewerFixture server) : IClassFixture<SignedViewerFixture>, IDisposable
{
    public void Dispose() => server.Logs.AssertNoFaults();

    [Theory]
    [InlineData("/videos/clip.mp4", "/videos/clip.mp4", 200)]
    [InlineData("/videos/clip.mp4", "/videos/clip.mp4/chunk?t=00:00:10:00&size=1000", 206)] // a token covers what lies below its path
    [InlineData("/videos/clip.ts", "/videos/clip.mp4", 403)] // another video's token
    [InlineData("/live/cam1", "/videos/clip.mp4", 403)]
    public async Task AVideoNeedsATokenForItsPath(string signedFor, string target, int status)
    {
        string token = SignedToken.Sign(SignedViewerFixture.Secret, signedFor, DateTimeOffset.UtcNow.AddMinutes(5));
        Assert.Equal(status, await GetAsync(target + (target.Contains('?', StringComparison.Ordinal) ? "&" : "?") + token));
    }

    [Fact]
    public async Task WithoutAValidTokenItIs403()
    {
        string expired = SignedToken.Sign(SignedViewerFixture.Secret, "/videos/clip.mp4", DateTimeOffset.UtcNow.AddMinutes(-1));
        string tampered = "expires=" + DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds() + expired[expired.IndexOf('&', StringComparison.Ordinal)..];

        Assert.Equal(403, await GetAsync("/videos/clip.mp4"));
        Assert.Equal(403, await GetAsync("/videos/clip.mp4?" + expired));
        Assert.Equal(403, await GetAsync("/videos/clip.mp4?" + tampered));
        Assert.Equal(403, await GetAsync("/live/live"));
    }

    [Fact]
    public async Task ARepeatedExpiresOrTokenOrABadEscapeIs403EvenBesideAValidToken()
    {
        string token = SignedToken.Sign(SignedViewerFixture.Secret, "/videos/clip.mp4", DateTimeOffset.UtcNow.AddMinutes(5));
        int and = token.IndexOf('&', StringComparison.Ordinal);
        Assert.Equal(200, await GetAsync("/videos/clip.mp4?" + token));
        Assert.Equal(403, await GetAsync("/videos/clip.mp4?" + token + "&" + token[..and])); // expires twice, the same value
        Assert.Equal(403, await GetAsync("/videos/clip.mp4?" + token + "&" + token[(and + 1)..])); // token twice
        Assert.Equal(403, await GetAsync("/videos/clip.mp4?expires=1&" + token)); // a first expires that is not the signed one
        Assert.Equal(403, await GetAsync("/videos/clip.mp4?" + token + "&x=%zz"));
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/videos")]
    [InlineData("/live")]
    public async Task ThePageAndTheListsStayPublic(string target) => Assert.Equal(200, await GetAsync(target));

    [Fact]
    public async Task ASignedPlaylistCarriesItsQueryIntoEverySegmentAndPartUriSoThatAPlayerCanFetchThem()
    {
        byte[] stream = MediaFiles.Bytes(MediaFiles.TransportStream);
        using var publisher = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await publisher.ConnectAsync(server.Server.IngestEndPoint);
        int pushed = await LiveHelpers.PushPacedAsync(publisher, stream, 0, stream.Length);
        await LiveHelpers.WaitForChannelAsync(server, ChannelName.TcpIngest, minBytes: pushed);
        string signed = SignedToken.Sign(SignedViewerFixture.Secret, "/live/" + ChannelName.TcpIngest, DateTimeOffset.UtcNow.AddMinutes(5));
        string channel = $"/live/{ChannelName.TcpIngest}/";
        using RawHttpConnection viewer = await RawHttpConnection.ConnectAsync(server.HttpEndPoint);

        Assert.Equal(403, await GetAsync(channel + "index.m3u8"));
        await viewer.SendAsync(RawHttpConnection.Request("GET", channel + "index.m3u8?" + signed));
        RawResponse playlist = await viewer.ReadResponseAsync();

        Assert.Equal(200, playlist.Status);
        string[] uris = [.. playlist.Text.Split('\n').Where(line => line.Length > 0 && line[0] != '#')
            .Concat(System.Text.RegularExpressions.Regex.Matches(playlist.Text, "URI=\"([^\"]+)\"").Select(m => m.Groups[1].Value))];
        Assert.NotEmpty(uris);
        Assert.All(uris, uri => Assert.EndsWith(".ts?" + signed, uri, StringComparison.Ordinal));
        string segment = playlist.Text.Split('\n').First(line => line.Length > 0 && line[0] != '#');
        await viewer.SendAsync(RawHttpConnection.Request("GET", channel + segment));
        RawResponse media = await viewer.ReadResponseAsync();
        Assert.Equal(200, media.Status);
        HlsHelpers.AssertIsPartOfTheStream(media.Body, stream);
        Assert.Equal(403, await GetAsync(channel + segment[..segment.IndexOf('?', StringComparison.Ordinal)]));

        publisher.Shutdown(SocketShutdown.Send);
        await LiveHelpers.WaitForChannelGoneAsync(server, ChannelName.TcpIngest);
    }

    private async Task<int> GetAsync(string target)
    {
        using RawHttpConnection connection = await RawHttpConnection.ConnectAsync(server.HttpEndPoint);
        await connection.SendAsync(RawHttpConnection.Request("GET", target));
        return (await connection.ReadResponseAsync()).Status;
    }

    [Fact]
    public async Task ASignedVideoPlaylistCarriesItsQueryIntoEverySegmentUri()
    {
        string signed = SignedToken.Sign(SignedViewerFixture.Secret, "/videos/clip.ts", DateTimeOffset.UtcNow.AddMinutes(5));
        using RawHttpConnection viewer = await RawHttpConnection.ConnectAsync(server.HttpEndPoint);
        await viewer.SendAsync(RawHttpConnection.Request("GET", "/videos/clip.ts/index.m3u8?" + signed));
        RawResponse response = await viewer.ReadResponseAsync();
        ByteRangePlaylist playlist = ByteRangePlaylist.Parse(response.Text);

        Assert.Equal(200, response.Status);
        Assert.All(playlist.Segments, segment => Assert.Equal("../clip.ts?" + signed, segment.Uri));
        ByteRangeSegment last = playlist.Segments[^1];
        await viewer.SendAsync(RawHttpConnection.Request("GET", "/videos/clip.ts?" + signed, $"Range: bytes={last.Offset}-{last.Offset + last.Length - 1}"));
        Assert.Equal(206, (await viewer.ReadResponseAsync()).Status);
        Assert.Equal(403, await GetAsync("/videos/clip.ts/index.m3u8"));
    }
}
