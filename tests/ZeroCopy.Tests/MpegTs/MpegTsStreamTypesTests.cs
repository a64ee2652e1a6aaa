namespace ZeroCopy.Tests.MpegTs;

public class MpegTsStreamTypesTests
{
    [Theory]
    [InlineData(MpegTsStreamTypes.Mpeg1Video)]
    [InlineData(MpegTsStreamTypes.Mpeg2Video)]
    [InlineData(MpegTsStreamTypes.Mpeg4Video)]
    [InlineData(MpegTsStreamTypes.H264)]
    [InlineData(MpegTsStreamTypes.Hevc)]
    [InlineData(MpegTsStreamTypes.Vvc)]
    [InlineData(MpegTsStreamTypes.Cavs)]
    [InlineData(MpegTsStreamTypes.Dirac)]
    [InlineData(MpegTsStreamTypes.Vc1)]
    public void VideoStreamTypesAreVideo(byte streamType) => Assert.True(MpegTsStreamTypes.IsVideo(streamType));

    [Theory]
    [InlineData(0x00)] // reserved
    [InlineData(0x03)] // MPEG-1 audio
    [InlineData(0x04)] // MPEG-2 audio
    [InlineData(0x06)] // PES private data (subtitles, AC-3 in DVB)
    [InlineData(0x0F)] // AAC (ADTS)
    [InlineData(0x11)] // AAC (LATM)
    [InlineData(0x15)] // metadata (ID3)
    [InlineData(0x80)] // MPEG-2 video in ATSC, LPCM on Blu-ray: ambiguous
    [InlineData(0x81)] // AC-3
    [InlineData(0x86)] // SCTE-35
    [InlineData(0xFF)]
    public void OtherStreamTypesAreNotVideo(byte streamType) => Assert.False(MpegTsStreamTypes.IsVideo(streamType));

    [Fact]
    public void ExactlyTheNineListedStreamTypesAreVideo()
    {
        int[] video = Enumerable.Range(0, 256).Where(type => MpegTsStreamTypes.IsVideo((byte)type)).ToArray();

        Assert.Equal([0x01, 0x02, 0x10, 0x1B, 0x24, 0x33, 0x42, 0xD1, 0xEA], video);
    }

    [Fact]
    public void OnlyH264AndHevcKeyframesAreFoundFromNalUnits()
    {
        int[] scanned = Enumerable.Range(0, 256).Where(type => MpegTsKeyframeScanner.CanScan((byte)type)).ToArray();

        Assert.Equal([MpegTsStreamTypes.H264, MpegTsStreamTypes.Hevc], scanned);
    }
}
