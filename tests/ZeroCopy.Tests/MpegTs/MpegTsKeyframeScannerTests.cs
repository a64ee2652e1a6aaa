using ZeroCopy.Tests.Infrastructure;

namespace ZeroCopy.Tests.MpegTs;

public class MpegTsKeyframeScannerTests
{
    private static readonly byte[] H264Idr = [0x00, 0x00, 0x00, 0x01, 0x09, 0xF0, 0x00, 0x00, 0x00, 0x01, 0x67, 0x42, 0xC0, 0x1E, 0x00, 0x00, 0x01, 0x68, 0xCE, 0x3C, 0x80, 0x00, 0x00, 0x01, 0x65, 0x88, 0x84];
    private static readonly byte[] H264NonIdr = [0x00, 0x00, 0x00, 0x01, 0x09, 0xF0, 0x00, 0x00, 0x01, 0x06, 0x05, 0x01, 0xAA, 0x00, 0x00, 0x01, 0x41, 0x9A, 0x02];

    [Fact]
    public void H264IdrAfterTheParameterSetsIsAKeyframe()
    {
        var scanner = new MpegTsKeyframeScanner();

        Assert.Equal(MpegTsKeyframeScanResult.Keyframe, scanner.Start(MpegTsStreamTypes.H264, H264Idr));
        Assert.False(scanner.IsScanning);
    }

    [Fact]
    public void H264NonIdrSliceAfterAnSeiIsNotAKeyframe()
    {
        var scanner = new MpegTsKeyframeScanner();

        Assert.Equal(MpegTsKeyframeScanResult.NotKeyframe, scanner.Start(MpegTsStreamTypes.H264, H264NonIdr));
        Assert.False(scanner.IsScanning);
    }

    [Fact]
    public void OnlyTheFirstPictureCounts()
    {
        var scanner = new MpegTsKeyframeScanner();
        byte[] nonIdrThenIdr = [.. H264NonIdr, .. H264Idr];

        Assert.Equal(MpegTsKeyframeScanResult.NotKeyframe, scanner.Start(MpegTsStreamTypes.H264, nonIdrThenIdr));
    }

    [Theory]
    [InlineData(16, MpegTsKeyframeScanResult.Keyframe)] // BLA_W_LP
    [InlineData(19, MpegTsKeyframeScanResult.Keyframe)] // IDR_W_RADL
    [InlineData(20, MpegTsKeyframeScanResult.Keyframe)] // IDR_N_LP
    [InlineData(21, MpegTsKeyframeScanResult.Keyframe)] // CRA_NUT
    [InlineData(0, MpegTsKeyframeScanResult.NotKeyframe)] // TRAIL_N
    [InlineData(1, MpegTsKeyframeScanResult.NotKeyframe)] // TRAIL_R
    [InlineData(9, MpegTsKeyframeScanResult.NotKeyframe)] // RASL_R
    [InlineData(35, MpegTsKeyframeScanResult.NeedMoreData)] // AUD
    [InlineData(32, MpegTsKeyframeScanResult.NeedMoreData)] // VPS
    [InlineData(39, MpegTsKeyframeScanResult.NeedMoreData)] // prefix SEI
    public void HevcIrapPicturesAreKeyframes(int nalType, MpegTsKeyframeScanResult expected)
    {
        var scanner = new MpegTsKeyframeScanner();

        Assert.Equal(expected, scanner.Start(MpegTsStreamTypes.Hevc, [0x00, 0x00, 0x01, (byte)(nalType << 1), 0x01, 0xAF]));
        Assert.Equal(expected == MpegTsKeyframeScanResult.NeedMoreData, scanner.IsScanning);
    }

    [Fact]
    public void AStartCodeSplitAnywhereAcrossPacketsIsFound()
    {
        for (int split = 0; split <= H264Idr.Length; split++)
        {
            var scanner = new MpegTsKeyframeScanner();
            MpegTsKeyframeScanResult first = scanner.Start(MpegTsStreamTypes.H264, H264Idr.AsSpan(0, split));
            MpegTsKeyframeScanResult result = first == MpegTsKeyframeScanResult.NeedMoreData ? scanner.Continue(H264Idr.AsSpan(split)) : first;

            Assert.True(result == MpegTsKeyframeScanResult.Keyframe, $"split at {split}: {first}, then {result}");
        }
    }

    [Fact]
    public void NoPictureWithinTheScanLimitIsNotAKeyframe()
    {
        var scanner = new MpegTsKeyframeScanner();
        byte[] filler = new byte[184];
        filler.AsSpan().Fill(0xAB);

        Assert.Equal(MpegTsKeyframeScanResult.NeedMoreData, scanner.Start(MpegTsStreamTypes.H264, filler));
        int fed = filler.Length;
        MpegTsKeyframeScanResult result;
        while ((result = scanner.Continue(filler)) == MpegTsKeyframeScanResult.NeedMoreData)
        {
            fed += filler.Length;
        }

        Assert.Equal(MpegTsKeyframeScanResult.NotKeyframe, result);
        Assert.InRange(fed + filler.Length, MpegTsKeyframeScanner.MaxScanLength + 1, MpegTsKeyframeScanner.MaxScanLength + filler.Length);
        Assert.False(scanner.IsScanning);
    }

    [Theory]
    [InlineData(MpegTsStreamTypes.Mpeg2Video)]
    [InlineData(MpegTsStreamTypes.Vvc)]
    [InlineData(0x0F)]
    public void StreamTypesWithoutScannedNalUnitsAreNotScanned(byte streamType)
    {
        var scanner = new MpegTsKeyframeScanner();

        Assert.Equal(MpegTsKeyframeScanResult.NotKeyframe, scanner.Start(streamType, H264Idr));
        Assert.False(scanner.IsScanning);
    }

    [Fact]
    public void ContinueWithoutAScanAndAfterCancelFindsNothing()
    {
        var scanner = new MpegTsKeyframeScanner();
        Assert.Equal(MpegTsKeyframeScanResult.NotKeyframe, scanner.Continue(H264Idr));

        Assert.Equal(MpegTsKeyframeScanResult.NeedMoreData, scanner.Start(MpegTsStreamTypes.H264, H264Idr.AsSpan(0, 10)));
        scanner.Cancel();

        Assert.False(scanner.IsScanning);
        Assert.Equal(MpegTsKeyframeScanResult.NotKeyframe, scanner.Continue(H264Idr.AsSpan(10)));
        Assert.Contains("IsScanning = False", scanner.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void StartForgetsThePreviousPes()
    {
        var scanner = new MpegTsKeyframeScanner();
        Assert.Equal(MpegTsKeyframeScanResult.NeedMoreData, scanner.Start(MpegTsStreamTypes.H264, [0x00, 0x00]));

        // Had the two zeros been kept, 01 65 would complete a start code and an IDR.
        Assert.Equal(MpegTsKeyframeScanResult.NeedMoreData, scanner.Start(MpegTsStreamTypes.H264, [0x01, 0x65]));
    }

    /// <summary>Feeds every packet through a tracker and <see cref="MpegTsKeyframeScanner.Follow"/>; the offsets of the packets where it said "keyframe".</summary>
    private static List<long> Follow(byte[] stream)
    {
        var program = new MpegTsProgramTracker();
        var scanner = new MpegTsKeyframeScanner();
        var found = new List<long>();
        for (int offset = 0; offset + MpegTsPacket.Size <= stream.Length; offset += MpegTsPacket.Size)
        {
            MpegTsPacketKind kind = program.Track(stream.AsSpan(offset, MpegTsPacket.Size), out MpegTsPacket packet);
            if (scanner.Follow(program, kind, packet))
            {
                found.Add(offset);
            }
        }

        return found;
    }

    [Fact]
    public void FollowSaysKeyframeAtTheFlaggedPesStartOrAtThePacketThatHoldsTheIdrSliceAndNeverForAudio()
    {
        var builder = new TransportStreamBuilder().Pat().Pmt();
        builder.Video(keyframe: true, randomAccessIndicator: true).Audio().Video(keyframe: false, randomAccessIndicator: false);
        long scanned = builder.Length;
        builder.Video(keyframe: true, randomAccessIndicator: false, idrInSecondPacket: true).Audio();
        long unflagged = builder.Length;
        builder.Video(keyframe: true, randomAccessIndicator: false).Video(keyframe: false, randomAccessIndicator: false);

        Assert.Equal([builder.Keyframes[0], scanned + MpegTsPacket.Size, unflagged], Follow(builder.ToArray()));
    }

    [Fact]
    public void ADamagedPacketEndsTheScanOfThePesItInterrupts()
    {
        var builder = new TransportStreamBuilder().Pat().Pmt();
        int start = (int)builder.Length;
        builder.Video(keyframe: true, randomAccessIndicator: false, idrInSecondPacket: true).Video(keyframe: true, randomAccessIndicator: true);
        byte[] stream = builder.ToArray();
        byte[] damaged = new byte[MpegTsPacket.Size]; // no sync byte: lost sync between the PES start and its IDR slice
        byte[] interrupted = [.. stream.AsSpan(0, start + MpegTsPacket.Size), .. damaged, .. stream.AsSpan(start + MpegTsPacket.Size)];

        Assert.Equal([start + MpegTsPacket.Size, builder.Keyframes[1]], Follow(stream));
        Assert.Equal([builder.Keyframes[1] + MpegTsPacket.Size], Follow(interrupted));
    }

    [Fact]
    public void FollowThrowsForNoTracker()
    {
        var scanner = new MpegTsKeyframeScanner();

        Assert.Throws<ArgumentNullException>(() => scanner.Follow(null!, MpegTsPacketKind.Stream, default));
    }
}
