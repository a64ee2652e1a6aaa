using System.Text;
using MediaServer.Media;
using MediaServer.Tests.Infrastructure;
using ZeroCopy;
using ZeroCopy.Tests.Infrastructure;

namespace MediaServer.Tests.Media;

/// <summary>How <see cref="VodPlaylist"/> cuts a transport stream's keyframe index into byte-range segments.</summary>
public sealed class VodPlaylistBuildTests
{
    private static (KeyframeIndex Index, long Size) Index(TransportStreamBuilder ts)
    {
        using var cache = new VideoCache(ts.Length, VideoCache.MinSegmentSize);
        cache.Write(0, ts.ToArray());
        return (MpegTsKeyframeIndexer.Build(cache), ts.Length);
    }

    private static ByteRangePlaylist Render(VodPlaylist playlist, string query = "") => ByteRangePlaylist.Parse(Encoding.UTF8.GetString(playlist.Render(query)));

    [Fact]
    public void OneSecondGopsAreGroupedIntoSixSecondSegmentsThatStartAtTheirPats()
    {
        var ts = new TransportStreamBuilder();
        for (int i = 0; i < 20; i++)
        {
            ts.Gop(frames: 25);
        }

        (KeyframeIndex index, long size) = Index(ts);
        VodPlaylist playlist = VodPlaylist.TryCreate("a b.ts", size, index, "\"tag\"")!;
        ByteRangePlaylist rendered = Render(playlist);

        Assert.Equal([6.0, 6.0, 6.0, 2.0], playlist.Segments.Select(segment => segment.Duration));
        Assert.Equal([0L, ts.Pats[6], ts.Pats[12], ts.Pats[18]], playlist.Segments.Select(segment => segment.Offset));
        Assert.Equal(size, playlist.Segments[^1].Offset + playlist.Segments[^1].Length);
        Assert.Equal(6, rendered.TargetDuration);
        Assert.All(rendered.Segments, segment => Assert.Equal("../a%20b.ts", segment.Uri));
        Assert.DoesNotContain(rendered.Lines, line => line.StartsWith("#EXT-X-MAP", StringComparison.Ordinal));
    }

    [Fact]
    public void AGopLongerThanTheTargetIsOneSegmentAndTheTargetDurationCoversIt()
    {
        var ts = new TransportStreamBuilder().Gop(frames: 250).Gop(frames: 250).Gop(frames: 50);

        (KeyframeIndex index, long size) = Index(ts);
        VodPlaylist playlist = VodPlaylist.TryCreate("long.ts", size, index, "\"tag\"")!;

        Assert.Equal([10.0, 10.0, 2.0], playlist.Segments.Select(segment => segment.Duration));
        Assert.Equal(10, Render(playlist).TargetDuration);
    }

    [Fact]
    public void KeyframesWithoutTheirOwnPatAndPmtGetAMapOfTheFilesFirstOnes()
    {
        var ts = new TransportStreamBuilder().Gop(frames: 25);
        for (int i = 0; i < 13; i++)
        {
            ts.Gop(frames: 25, tablesBeforeKeyframe: false);
        }

        (KeyframeIndex index, long size) = Index(ts);
        VodPlaylist playlist = VodPlaylist.TryCreate("bare.ts", size, index, "\"tag\"")!;
        ByteRangePlaylist rendered = Render(playlist);

        Assert.Equal(2 * 188, index.TransportStream!.Value.InitializationLength); // the PAT and the PMT at the start
        Assert.Contains("#EXT-X-MAP:URI=\"../bare.ts\",BYTERANGE=\"376@0\"", rendered.Lines);
        Assert.Contains("#EXT-X-VERSION:6", rendered.Lines);
        Assert.Equal(ts.Keyframes[6], playlist.Segments[1].Offset); // the keyframe's own packet
    }

    [Fact]
    public void ASignedQueryReachesEveryUriAndTheMap()
    {
        var ts = new TransportStreamBuilder().Gop(frames: 25);
        for (int i = 0; i < 13; i++)
        {
            ts.Gop(frames: 25, tablesBeforeKeyframe: false);
        }

        (KeyframeIndex index, long size) = Index(ts);
        VodPlaylist playlist = VodPlaylist.TryCreate("bare.ts", size, index, "\"tag\"")!;
        int renders = playlist.RenderCount;
        ByteRangePlaylist rendered = Render(playlist, "?expires=1&token=abc");

        Assert.All(rendered.Segments, segment => Assert.Equal("../bare.ts?expires=1&token=abc", segment.Uri));
        Assert.Contains("#EXT-X-MAP:URI=\"../bare.ts?expires=1&token=abc\",BYTERANGE=\"376@0\"", rendered.Lines);
        Assert.Equal(renders + 1, playlist.RenderCount);
    }

    [Fact]
    public async Task M2tsHasNoPlaylist()
    {
        string directory = Directory.CreateTempSubdirectory("mediaserver-m2ts-").FullName;
        try
        {
            string path = await MediaFiles.WriteM2tsAsync(directory);
            using VideoCache cache = await VideoCache.LoadFileAsync(path);
            KeyframeIndex index = MpegTsKeyframeIndexer.Build(cache);

            Assert.Equal(192, index.TransportStream!.Value.PacketStride);
            Assert.Null(VodPlaylist.TryCreate("clip.m2ts", cache.Capacity, index, "\"tag\""));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
