using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using MediaServer.Media;
using MediaServer.Tests.Infrastructure;

namespace MediaServer.Tests.Server;

/// <summary>Issue 25: an indexed MPEG-TS video's HLS playlist, whose segments are byte ranges of the video's own URL.</summary>
public sealed class VodPlaylistTests(ServerFixture server) : IClassFixture<ServerFixture>, IDisposable
{
    private const string PlaylistTarget = "/videos/clip.ts/index.m3u8";

    public void Dispose() => server.Logs.AssertNoFaults();

    private async Task<RawResponse> SendAsync(string method, string target, params string[] fields)
    {
        using RawHttpConnection connection = await RawHttpConnection.ConnectAsync(server.HttpEndPoint);
        await connection.SendAsync(RawHttpConnection.Request(method, target, fields));
        return await connection.ReadResponseAsync(isHead: method == "HEAD");
    }

    private KeyframeIndex ClipIndex()
    {
        Assert.True(server.Server.Library.TryGet(MediaFiles.TransportStream, out Video? video));
        return video.Index!;
    }

    [Fact]
    public async Task ThePlaylistIsAVodPlaylistOfByteRangesOfTheVideosOwnUrl()
    {
        RawResponse response = await SendAsync("GET", PlaylistTarget);

        Assert.Equal(200, response.Status);
        Assert.Equal("application/vnd.apple.mpegurl", response.Header("Content-Type"));
        ByteRangePlaylist playlist = ByteRangePlaylist.Parse(response.Text);
        Assert.Equal("#EXTM3U", playlist.Lines[0]);
        Assert.Contains("#EXT-X-VERSION:4", playlist.Lines);
        Assert.Contains("#EXT-X-PLAYLIST-TYPE:VOD", playlist.Lines);
        Assert.Contains("#EXT-X-INDEPENDENT-SEGMENTS", playlist.Lines);
        Assert.Equal("#EXT-X-ENDLIST", playlist.Lines[^1]);
        Assert.DoesNotContain(playlist.Lines, line => line.StartsWith("#EXT-X-MAP", StringComparison.Ordinal)); // ffmpeg repeats PAT and PMT before keyframes
        Assert.All(playlist.Segments, segment => Assert.Equal("../clip.ts", segment.Uri));
        Assert.Equal("http://127.0.0.1/videos/clip.ts", new Uri(new Uri("http://127.0.0.1" + PlaylistTarget), playlist.Segments[0].Uri).ToString());
    }

    [Fact]
    public async Task SegmentsStartAtKeyframesCoverTheFileAndLastAsLongAsTheVideo()
    {
        KeyframeIndex index = ClipIndex();
        long size = MediaFiles.Bytes(MediaFiles.TransportStream).Length;
        ByteRangePlaylist playlist = ByteRangePlaylist.Parse((await SendAsync("GET", PlaylistTarget)).Text);
        var keyframeOffsets = Enumerable.Range(0, index.Count).Select(index.OffsetAt).ToHashSet();

        Assert.InRange(playlist.Segments.Count, 4, 8); // about 6 s each, of a 30 s video
        Assert.Equal(0, playlist.Segments[0].Offset);
        for (int i = 1; i < playlist.Segments.Count; i++)
        {
            ByteRangeSegment previous = playlist.Segments[i - 1], segment = playlist.Segments[i];
            Assert.True(keyframeOffsets.Contains(segment.Offset), $"segment {i} starts at byte {segment.Offset}, which is no keyframe's offset");
            Assert.Equal(previous.Offset + previous.Length, segment.Offset); // contiguous, no gap nor overlap
        }

        Assert.Equal(size, playlist.Segments[^1].Offset + playlist.Segments[^1].Length);
        Assert.Equal(index.DurationSeconds, playlist.Segments.Sum(segment => segment.Duration), 2);
        Assert.True(playlist.TargetDuration >= Math.Ceiling(playlist.Segments.Max(segment => segment.Duration)),
            $"TARGETDURATION {playlist.TargetDuration} below the longest segment, {playlist.Segments.Max(segment => segment.Duration)} s");
        Assert.All(playlist.Segments.SkipLast(1), segment => Assert.InRange(segment.Duration, 4, 6.5));
    }

    [Fact]
    public async Task EverySegmentsBytesAreTheFilesRange()
    {
        byte[] file = MediaFiles.Bytes(MediaFiles.TransportStream);
        ByteRangePlaylist playlist = ByteRangePlaylist.Parse((await SendAsync("GET", PlaylistTarget)).Text);

        using RawHttpConnection connection = await RawHttpConnection.ConnectAsync(server.HttpEndPoint);
        foreach (ByteRangeSegment segment in playlist.Segments)
        {
            long last = segment.Offset + segment.Length - 1;
            await connection.SendAsync(RawHttpConnection.Request("GET", "/videos/clip.ts", $"Range: bytes={segment.Offset}-{last}"));
            RawResponse response = await connection.ReadResponseAsync();

            Assert.Equal(206, response.Status);
            Assert.Equal($"bytes {segment.Offset}-{last}/{file.Length}", response.Header("Content-Range"));
            Assert.Equal(SHA256.HashData(file.AsSpan((int)segment.Offset, (int)segment.Length)), SHA256.HashData(response.Body));
            Assert.Equal(0x47, response.Body[0]);
        }
    }

    [Fact]
    public async Task ThePlaylistIsRenderedOnceAtLoadAndNeverPerRequest()
    {
        Assert.True(server.Server.Library.TryGet(MediaFiles.TransportStream, out Video? video));
        VodPlaylist rendered = video.Playlist!;
        int renders = rendered.RenderCount;

        RawResponse first = await SendAsync("GET", PlaylistTarget);
        RawResponse second = await SendAsync("GET", PlaylistTarget + "?unrelated=1");
        RawResponse head = await SendAsync("HEAD", PlaylistTarget);

        Assert.Equal(1, renders); // rendered when the video was loaded
        Assert.Equal(renders, rendered.RenderCount); // and not by any request since
        Assert.Equal(rendered.Utf8.ToArray(), first.Body);
        Assert.Equal(first.Body, second.Body);
        Assert.Equal(first.Body.Length.ToString(CultureInfo.InvariantCulture), head.Header("Content-Length"));
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("HEAD")]
    public async Task IfNoneMatchWithThePlaylistsETagIs304(string method)
    {
        RawResponse response = await SendAsync("GET", PlaylistTarget);
        string etag = response.Header("ETag");
        RawResponse file = await SendAsync("HEAD", "/videos/clip.ts");

        RawResponse conditional = await SendAsync(method, PlaylistTarget, $"If-None-Match: {etag}");

        Assert.NotEqual(file.Header("ETag"), etag); // another representation than the file's
        Assert.Equal(file.Header("Last-Modified"), response.Header("Last-Modified"));
        Assert.Equal(304, conditional.Status);
        Assert.Equal(etag, conditional.Header("ETag"));
        Assert.Empty(conditional.Body);
        Assert.Equal(200, (await SendAsync(method, PlaylistTarget, "If-None-Match: \"other\"")).Status);
    }

    [Theory]
    [InlineData("If-Match: \"other\"", 412)]
    [InlineData("If-Match: *", 200)]
    [InlineData("If-Unmodified-Since: Sat, 01 Jan 2000 00:00:00 GMT", 412)]
    [InlineData("If-Modified-Since: Fri, 01 Jan 2100 00:00:00 GMT", 304)]
    public async Task ThePlaylistTakesEveryPreconditionAsTheVideoDoes(string field, int status)
    {
        RawResponse response = await SendAsync("GET", PlaylistTarget, field);

        Assert.Equal(status, response.Status);
    }

    [Theory]
    [InlineData("/videos/clip.mp4/index.m3u8", "not MPEG-TS")]
    [InlineData("/videos/nothing.ts/index.m3u8", "no such video")]
    public async Task AVideoWithoutAPlaylistIs404WithTheReason(string target, string reason)
    {
        RawResponse response = await SendAsync("GET", target);

        Assert.Equal(404, response.Status);
        Assert.Contains(reason, response.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARangePastTheEndOfTheVideoIsStill416()
    {
        long size = MediaFiles.Bytes(MediaFiles.TransportStream).Length;

        RawResponse response = await SendAsync("GET", "/videos/clip.ts", $"Range: bytes={size}-{size + 187}");

        Assert.Equal(416, response.Status);
        Assert.Equal($"bytes */{size}", response.Header("Content-Range"));
    }

    [Fact]
    public async Task TheListNamesThePlaylistOfEachTransportStreamOnly()
    {
        using JsonDocument list = JsonDocument.Parse((await SendAsync("GET", "/videos")).Body);
        Dictionary<string, JsonElement> videos = list.RootElement.EnumerateArray().ToDictionary(video => video.GetProperty("name").GetString()!);

        Assert.Equal(PlaylistTarget, videos[MediaFiles.TransportStream].GetProperty("playlist").GetString());
        Assert.Equal(JsonValueKind.Null, videos[MediaFiles.Mp4].GetProperty("playlist").ValueKind);
        Assert.Equal("/videos/clip.ts", videos[MediaFiles.TransportStream].GetProperty("url").GetString());
    }

    [Fact]
    public async Task TimecodeChunksOfTheTransportStreamStillStartAtTheKeyframesThePlaylistCutsAt()
    {
        ByteRangePlaylist playlist = ByteRangePlaylist.Parse((await SendAsync("GET", PlaylistTarget)).Text);
        double second = playlist.Segments[0].Duration;

        RawResponse chunk = await SendAsync("GET", $"/videos/clip.ts/chunk?t=00:00:{second:00}:00&size=188");

        Assert.Equal(206, chunk.Status);
        Assert.StartsWith($"bytes {playlist.Segments[1].Offset}-", chunk.Header("Content-Range"), StringComparison.Ordinal);
    }
}
