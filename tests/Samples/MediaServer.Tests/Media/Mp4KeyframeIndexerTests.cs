using MediaServer.Media;
using MediaServer.Tests.Infrastructure;
using ZeroCopy;

namespace MediaServer.Tests.Media;

public sealed class Mp4KeyframeIndexerTests
{
    [Theory]
    [InlineData(VideoCache.DefaultSegmentSize)]
    [InlineData(VideoCache.MinSegmentSize)] // moov and samples spread over many segments
    public async Task KeyframesMatchFfprobeExactly(int segmentSize)
    {
        string path = MediaFiles.PathOf(MediaFiles.Mp4);
        using VideoCache cache = await VideoCache.LoadFileAsync(path, segmentSize);
        KeyframeIndex index = Mp4KeyframeIndexer.Build(cache);
        List<(double Time, long Position)> expected = await FfprobeKeyframes.ReadAsync(path);

        Assert.Equal(expected.Count, index.Count);
        for (int i = 0; i < index.Count; i++)
        {
            Assert.Equal(expected[i].Position, index.OffsetAt(i));
            Assert.Equal(expected[i].Time, index.TimeAt(i), 3);
        }

        Assert.Equal(25, index.FrameRate, 3);
        Assert.InRange(index.DurationSeconds, 59.9, 60.1);
    }

    [Fact]
    public async Task AMoovAfterTheMediaDataIsFoundToo()
    {
        string directory = Directory.CreateTempSubdirectory("mediaserver-mp4-").FullName;
        try
        {
            string path = Path.Combine(directory, "moov-at-end.mp4");
            (await ExternalTool.RunAsync("ffmpeg", ["-v", "error", "-i", MediaFiles.PathOf(MediaFiles.Mp4), "-c", "copy", "-t", "10", path], TimeSpan.FromSeconds(60))).AssertClean();
            using VideoCache cache = await VideoCache.LoadFileAsync(path);
            KeyframeIndex index = Mp4KeyframeIndexer.Build(cache);
            List<(double Time, long Position)> expected = await FfprobeKeyframes.ReadAsync(path);

            Assert.Equal(expected.Select(k => k.Position), Enumerable.Range(0, index.Count).Select(index.OffsetAt));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void BytesThatAreNotAnMp4AreRejected()
    {
        using var cache = new VideoCache(64 * 1024, VideoCache.MinSegmentSize);
        new Random(7).NextBytes(cache.GetMemory(0, 4096).Span);

        Assert.Throws<InvalidDataException>(() => Mp4KeyframeIndexer.Build(cache));
    }
}
