using System.Runtime.InteropServices;
using ZeroCopy.Tests.Infrastructure;

namespace ZeroCopy.Tests.MpegTs;

public class MpegTsSyncPointDetectorTests
{
    /// <summary>Feeds <paramref name="data"/> in chunks and returns every sync point reported (the newest of each chunk).</summary>
    private static List<SyncPoint> InspectAll(byte[] data, Func<int> chunkLength, MpegTsSyncPointDetector? detector = null)
    {
        detector ??= new MpegTsSyncPointDetector();
        var found = new List<SyncPoint>();
        for (int position = 0; position < data.Length;)
        {
            int length = Math.Min(chunkLength(), data.Length - position);
            if (detector.Inspect(position, data.AsSpan(position, length), out SyncPoint syncPoint))
            {
                found.Add(syncPoint);
            }

            position += length;
        }

        return found;
    }

    private static List<SyncPoint> InspectPacketByPacket(byte[] data) => InspectAll(data, () => TransportStreamBuilder.PacketSize);

    [Fact]
    public void SyncPointIsThePatWhenThePatAndPmtDirectlyPrecedeTheKeyframe()
    {
        var ts = new TransportStreamBuilder().Gop().Gop().Gop();

        List<SyncPoint> found = InspectPacketByPacket(ts.ToArray());

        Assert.Equal(ts.Pats, found.Select(s => s.Position));
        Assert.All(found, s => Assert.True(s.Preamble.IsEmpty));
    }

    [Fact]
    public void SyncPointIsTheKeyframeWithCopiesOfThePatAndPmtWhenTheTablesAreNotRightBeforeIt()
    {
        var ts = new TransportStreamBuilder().Pat().Pmt().Audio().Gop(tablesBeforeKeyframe: false).Gop(tablesBeforeKeyframe: false);
        byte[] data = ts.ToArray();

        List<SyncPoint> found = InspectPacketByPacket(data);

        Assert.Equal(ts.Keyframes, found.Select(s => s.Position));
        Assert.All(found, s => Assert.Equal(data.AsSpan(0, 2 * 188).ToArray(), s.Preamble.ToArray()));
        Assert.True(MemoryMarshal.TryGetArray(found[0].Preamble, out ArraySegment<byte> first));
        Assert.True(MemoryMarshal.TryGetArray(found[1].Preamble, out ArraySegment<byte> second));
        Assert.Same(first.Array, second.Array); // One copy per version of the tables, shared by every joiner.
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void H264IdrNalUnitMarksAKeyframeWithoutTheRandomAccessIndicator(bool idrInSecondPacket)
    {
        var ts = new TransportStreamBuilder().Pat().Pmt()
            .Video(keyframe: true, randomAccessIndicator: false, idrInSecondPacket: idrInSecondPacket)
            .Video(keyframe: false, randomAccessIndicator: false)
            .Pat().Pmt()
            .Video(keyframe: false, randomAccessIndicator: false, idrInSecondPacket: idrInSecondPacket);

        List<SyncPoint> found = InspectPacketByPacket(ts.ToArray());

        Assert.Equal([0L], found.Select(s => s.Position));
    }

    [Fact]
    public void HevcIrapPictureMarksAKeyframe()
    {
        var ts = new TransportStreamBuilder(videoStreamType: 0x24).Pat().Pmt()
            .Video(keyframe: false, randomAccessIndicator: false)
            .Pat().Pmt()
            .Video(keyframe: true, randomAccessIndicator: false);

        List<SyncPoint> found = InspectPacketByPacket(ts.ToArray());

        Assert.Equal([ts.Pats[1]], found.Select(s => s.Position));
    }

    [Fact]
    public void NonKeyframesAndAudioRandomAccessPacketsAreNeverSyncPoints()
    {
        var ts = new TransportStreamBuilder().Pat().Pmt().Audio().Video(keyframe: false, randomAccessIndicator: false).Audio().Null();

        Assert.Empty(InspectPacketByPacket(ts.ToArray()));
    }

    [Fact]
    public void KeyframeBeforeThePatAndPmtAreKnownIsNotASyncPoint()
    {
        var ts = new TransportStreamBuilder().Video(keyframe: true, randomAccessIndicator: true).Pat().Pmt().Audio().Video(keyframe: true, randomAccessIndicator: true);

        List<SyncPoint> found = InspectPacketByPacket(ts.ToArray());

        Assert.Equal([ts.Keyframes[1]], found.Select(s => s.Position));
    }

    [Fact]
    public void TablesAndNullPacketsBetweenThePatAndTheKeyframeStillPlaceTheSyncPointAtThePat()
    {
        var ts = new TransportStreamBuilder().Pat().Null().Pmt().Null().Video(keyframe: true, randomAccessIndicator: true);

        Assert.Equal([0L], InspectPacketByPacket(ts.ToArray()).Select(s => s.Position));
    }

    [Fact]
    public void ChunkBoundariesAnywhereFindTheSameSyncPoints()
    {
        var ts = new TransportStreamBuilder();
        for (int i = 0; i < 20; i++)
        {
            ts.Gop(frames: 3, tablesBeforeKeyframe: i % 2 == 0, randomAccessIndicator: i % 3 != 0);
        }

        byte[] data = ts.ToArray();
        var random = new Random(7);

        List<SyncPoint> byteByByte = InspectAll(data, () => 1);
        List<SyncPoint> randomChunks = InspectAll(data, () => random.Next(1, 1000));

        Assert.Equal(InspectPacketByPacket(data).Select(s => s.Position), byteByByte.Select(s => s.Position));
        Assert.Equal(20, byteByByte.Count);
        Assert.Subset(byteByByte.Select(s => s.Position).ToHashSet(), randomChunks.Select(s => s.Position).ToHashSet());
        Assert.Equal(byteByByte[^1].Position, randomChunks[^1].Position);
        Assert.All(byteByByte, s => Assert.Equal(0, s.Position % 188));
    }

    [Fact]
    public void PacketWithoutTheSyncByteIsIgnored()
    {
        byte[] data = new TransportStreamBuilder().Pat().Pmt().Video(keyframe: true, randomAccessIndicator: true).ToArray();
        data[2 * 188] = 0x00; // The keyframe's sync byte.

        Assert.Empty(InspectPacketByPacket(data));
    }

    [Fact]
    public void TablesWhoseCrcFailsAreIgnored()
    {
        var ts = new TransportStreamBuilder().Pat().Pmt().Video(keyframe: true, randomAccessIndicator: true);
        byte[] data = ts.ToArray();
        data[188 + 5 + 12] ^= 0x01; // The PMT's first stream type: 0x1B becomes 0x1A, and the CRC no longer matches.

        Assert.Empty(InspectPacketByPacket(data));

        byte[] after = [.. data, .. new TransportStreamBuilder().Pat().Pmt().Video(keyframe: true, randomAccessIndicator: true).ToArray()];
        Assert.Equal([data.Length], InspectPacketByPacket(after).Select(s => s.Position)); // A good PMT later is used.
    }

    [Theory]
    [InlineData(MpegTsStreamTypes.Mpeg2Video)]
    [InlineData(MpegTsStreamTypes.Vvc)]
    [InlineData(MpegTsStreamTypes.Cavs)]
    [InlineData(MpegTsStreamTypes.Dirac)]
    [InlineData(MpegTsStreamTypes.Vc1)]
    public void OtherVideoCodecsHaveKeyframesByTheRandomAccessIndicatorOnly(byte streamType)
    {
        var ts = new TransportStreamBuilder(videoStreamType: streamType).Pat().Pmt()
            .Video(keyframe: false, randomAccessIndicator: false)
            .Audio()
            .Video(keyframe: true, randomAccessIndicator: true);

        List<SyncPoint> found = InspectPacketByPacket(ts.ToArray());

        Assert.Equal(ts.Keyframes, found.Select(s => s.Position));
    }

    [Fact]
    public void PacketWithAnImpossibleAdaptationFieldIsIgnoredLikeLostSync()
    {
        byte[] data = new TransportStreamBuilder().Pat().Pmt().Video(keyframe: true, randomAccessIndicator: true).ToArray();
        data[(2 * 188) + 4] = 200; // The keyframe's adaptation_field_length: beyond the packet.

        Assert.Empty(InspectPacketByPacket(data));
    }

    [Fact]
    public void InspectingAStreamAllocatesNothingOnceTheTablesAreKnown()
    {
        var ts = new TransportStreamBuilder();
        ts.Gop(frames: 5).Gop(frames: 5, tablesBeforeKeyframe: false).Gop(frames: 5, randomAccessIndicator: false);
        byte[] data = ts.ToArray();
        var detector = new MpegTsSyncPointDetector();
        long position = 0;

        long found = AllocationAssert.NothingInSteadyState(
            () =>
            {
                int syncPoints = 0;
                for (int offset = 0; offset < data.Length; offset += 100) // Chunks that split packets, so the carry is used.
                {
                    int length = Math.Min(100, data.Length - offset);
                    syncPoints += detector.Inspect(position, data.AsSpan(offset, length), out _) ? 1 : 0;
                    position += length;
                }

                return syncPoints;
            },
            "MpegTsSyncPointDetector.Inspect");

        Assert.Equal(3, found);
    }

    [Fact]
    public void DetectorReportsPacketsAsItsUnit()
    {
        var detector = new MpegTsSyncPointDetector();

        Assert.Equal(188, detector.UnitSize);
        Assert.Equal(188, MpegTsSyncPointDetector.PacketSize);
        Assert.Contains("MpegTsSyncPointDetector", detector.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void SyncPointsCarryTheirKeyframesPresentationTime()
    {
        var ts = new TransportStreamBuilder().Gop().Gop().Gop(); // 4 frames of 3600 ticks per group

        List<SyncPoint> found = InspectPacketByPacket(ts.ToArray());

        Assert.Equal(
            [TimeSpan.Zero, TimeSpan.FromMilliseconds(160), TimeSpan.FromMilliseconds(320)],
            found.Select(s => s.PresentationTime));
    }

    [Fact]
    public void PresentationTimeKeepsGrowingAcrossTheWrapOfThe33BitClock()
    {
        var ts = new TransportStreamBuilder { NextPts = MpegTsPesHeader.TimestampWrap - TransportStreamBuilder.FrameDuration };
        ts.Gop(frames: 1).Gop(frames: 1).Gop(frames: 1); // the second keyframe's PTS is written as 0, the third as 3600

        List<SyncPoint> found = InspectPacketByPacket(ts.ToArray());

        TimeSpan first = MpegTsPesHeader.ToTimeSpan(MpegTsPesHeader.TimestampWrap - TransportStreamBuilder.FrameDuration);
        Assert.Equal([first, first + TimeSpan.FromMilliseconds(40), first + TimeSpan.FromMilliseconds(80)], found.Select(s => s.PresentationTime));
    }
}
