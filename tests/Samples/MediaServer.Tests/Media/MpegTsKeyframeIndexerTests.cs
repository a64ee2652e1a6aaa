using MediaServer.Media;
using MediaServer.Tests.Infrastructure;
using ZeroCopy;

namespace MediaServer.Tests.Media;

public sealed class MpegTsKeyframeIndexerTests
{
    [Theory]
    [InlineData(VideoCache.DefaultSegmentSize)]
    [InlineData(VideoCache.MinSegmentSize)] // packets straddle segment boundaries
    public async Task KeyframesMatchFfprobeAndStartAtThePatBeforeThem(int segmentSize)
    {
        string path = MediaFiles.PathOf(MediaFiles.TransportStream);
        byte[] bytes = MediaFiles.Bytes(MediaFiles.TransportStream);
        using VideoCache cache = await VideoCache.LoadFileAsync(path, segmentSize);
        KeyframeIndex index = MpegTsKeyframeIndexer.Build(cache);
        List<(double Time, long Position)> expected = await FfprobeKeyframes.ReadAsync(path);

        Assert.Equal(expected.Count, index.Count);
        for (int i = 0; i < index.Count; i++)
        {
            long offset = index.OffsetAt(i);
            Assert.Equal(expected[i].Time, index.TimeAt(i), 3);
            Assert.InRange(expected[i].Position - offset, 0, 2 * 188); // PAT and PMT just before the keyframe's packet
            Assert.Equal(0, offset % 188);
            Assert.Equal(0x47, bytes[offset]);
            Assert.Equal(0, ((bytes[offset + 1] & 0x1F) << 8) | bytes[offset + 2]); // the PAT's PID
        }

        Assert.Equal(25, index.FrameRate, 3);
        Assert.InRange(index.DurationSeconds, 29.9, 30.1);
    }

    [Fact]
    public void BytesThatAreNotATransportStreamAreRejected()
    {
        using var cache = new VideoCache(188 * 10, VideoCache.MinSegmentSize);
        Assert.Throws<InvalidDataException>(() => MpegTsKeyframeIndexer.Build(cache));
    }
}
