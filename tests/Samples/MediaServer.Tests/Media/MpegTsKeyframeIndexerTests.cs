using MediaServer.Media;
using MediaServer.Tests.Infrastructure;
using ZeroCopy;
using ZeroCopy.Tests.Infrastructure;

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
            Assert.Equal(0, TransportStreamBuilder.PidAt(bytes, (int)offset)); // a packet on the PAT's PID
        }

        Assert.Equal(25, index.FrameRate, 3);
        Assert.InRange(index.DurationSeconds, 29.9, 30.1);
    }

    [Fact]
    public async Task M2tsPacketsWithTheirTimecodePrefixAreIndexedToo()
    {
        string directory = Directory.CreateTempSubdirectory("mediaserver-m2ts-").FullName;
        try
        {
            string path = await MediaFiles.WriteM2tsAsync(directory);
            using VideoCache cache = await VideoCache.LoadFileAsync(path);
            KeyframeIndex index = MpegTsKeyframeIndexer.Build(cache);
            List<(double Time, long Position)> expected = await FfprobeKeyframes.ReadAsync(path);

            Assert.Equal(expected.Count, index.Count);
            for (int i = 0; i < index.Count; i++)
            {
                Assert.Equal(expected[i].Time, index.TimeAt(i), 3);
                Assert.Equal(0, index.OffsetAt(i) % 192); // A 192-byte packet, timecode prefix included
                Assert.InRange(expected[i].Position - index.OffsetAt(i), 0, 2 * 192);
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static KeyframeIndex Index(TransportStreamBuilder ts)
    {
        using var cache = new VideoCache(ts.Length, VideoCache.MinSegmentSize);
        cache.Write(0, ts.ToArray());
        return MpegTsKeyframeIndexer.Build(cache);
    }

    [Theory]
    [InlineData(MpegTsStreamTypes.H264)]
    [InlineData(MpegTsStreamTypes.Mpeg2Video)]
    [InlineData(MpegTsStreamTypes.Vvc)]
    [InlineData(MpegTsStreamTypes.Cavs)]
    [InlineData(MpegTsStreamTypes.Dirac)]
    [InlineData(MpegTsStreamTypes.Vc1)]
    public void EveryVideoStreamTypeTheLiveDetectorAcceptsIsIndexed(byte streamType)
    {
        var ts = new TransportStreamBuilder(streamType).Gop(frames: 25).Gop(frames: 25).Gop(frames: 25);

        KeyframeIndex index = Index(ts);

        Assert.Equal(3, index.Count);
        Assert.Equal(ts.Pats, Enumerable.Range(0, index.Count).Select(index.OffsetAt));
        Assert.Equal(1.0, index.TimeAt(1), 3);
        Assert.Equal(25, index.FrameRate, 3);
    }

    [Fact]
    public void IdrSliceInTheSecondPacketWithoutTheRandomAccessIndicatorIsAKeyframe()
    {
        var ts = new TransportStreamBuilder().Pat().Pmt()
            .Video(keyframe: true, randomAccessIndicator: false, idrInSecondPacket: true)
            .Video(keyframe: false, randomAccessIndicator: false)
            .Audio()
            .Video(keyframe: true, randomAccessIndicator: false, idrInSecondPacket: true)
            .Video(keyframe: false, randomAccessIndicator: false, idrInSecondPacket: true);

        KeyframeIndex index = Index(ts);

        Assert.Equal([0L, ts.Keyframes[1]], Enumerable.Range(0, index.Count).Select(index.OffsetAt));
        Assert.Equal(0.08, index.TimeAt(1), 3);
    }

    [Theory]
    [InlineData(0x00)] // lost sync: no sync byte
    [InlineData(0x47)] // in sync, but marked in error (transport_error_indicator)
    public void DamagedPacketCostsItsKeyframeNotTheWholeIndex(byte syncByte)
    {
        var ts = new TransportStreamBuilder().Gop(frames: 25).Gop(frames: 25).Gop(frames: 25);
        byte[] bytes = ts.ToArray();
        int damaged = (int)ts.Keyframes[1];
        bytes[damaged] = syncByte;
        bytes[damaged + 1] |= 0x80;
        using var cache = new VideoCache(bytes.Length, VideoCache.MinSegmentSize);
        cache.Write(0, bytes);

        KeyframeIndex index = MpegTsKeyframeIndexer.Build(cache);

        Assert.Equal([ts.Pats[0], ts.Pats[2]], Enumerable.Range(0, index.Count).Select(index.OffsetAt));
        Assert.Equal(2.0, index.TimeAt(1), 3);
    }

    [Fact]
    public void ProgrammeWithoutVideoIsRejected()
    {
        var ts = new TransportStreamBuilder(videoStreamType: 0x0F).Gop().Gop();

        Assert.Throws<InvalidDataException>(() => Index(ts));
    }

    [Fact]
    public void BytesThatAreNotATransportStreamAreRejected()
    {
        using var cache = new VideoCache(188 * 10, VideoCache.MinSegmentSize);
        Assert.Throws<InvalidDataException>(() => MpegTsKeyframeIndexer.Build(cache));
    }
}
