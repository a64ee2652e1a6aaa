using System.Buffers.Binary;
using ZeroCopy.Tests.Infrastructure;

namespace ZeroCopy.Tests.MpegTs;

public class MpegTsProgramTrackerTests
{
    private const int PmtPid = TransportStreamBuilder.PmtPid;
    private const int VideoPid = TransportStreamBuilder.VideoPid;
    private const int AudioPid = TransportStreamBuilder.AudioPid;

    /// <summary>A PAT packet for programme 1 whose PMT is on <paramref name="pmtPid"/>.</summary>
    private static byte[] Pat(int pmtPid = PmtPid, int version = 0, bool current = true) =>
        TablePacket(0, [0x00, 0, 0, 0x00, 0x01, VersionByte(version, current), 0x00, 0x00, 0x00, 0x01, (byte)(0xE0 | (pmtPid >> 8)), (byte)pmtPid]);

    /// <summary>A PMT packet on <paramref name="pid"/> for programme 1 listing the given streams.</summary>
    private static byte[] Pmt(int version, (byte Type, int Pid)[] streams, bool current = true, int pid = PmtPid)
    {
        var section = new List<byte> { 0x02, 0, 0, 0x00, 0x01, VersionByte(version, current), 0x00, 0x00, 0xE1, 0x00, 0xF0, 0x00 };
        foreach ((byte type, int streamPid) in streams)
        {
            section.AddRange([type, (byte)(0xE0 | (streamPid >> 8)), (byte)streamPid, 0xF0, 0x00]);
        }

        return TablePacket(pid, [.. section]);
    }

    private static byte[] Pmt(int version = 0, int videoPid = VideoPid, byte videoType = MpegTsStreamTypes.H264) =>
        Pmt(version, [(videoType, videoPid), (0x0F, AudioPid)]);

    private static byte VersionByte(int version, bool current) => (byte)(0xC0 | (version << 1) | (current ? 1 : 0));

    /// <summary>A packet starting a section (pointer field 0) with its section_length and CRC_32 filled in, stuffed with 0xFF.</summary>
    private static byte[] TablePacket(int pid, byte[] section)
    {
        byte[] packet = Packet(pid, unitStart: true, fill: 0xFF);
        int length = section.Length + 4;
        section.CopyTo(packet, 5);
        packet[5 + 1] = (byte)(0xB0 | ((length - 3) >> 8));
        packet[5 + 2] = (byte)(length - 3);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(5 + section.Length), MpegTsTables.ComputeCrc32(packet.AsSpan(5, section.Length)));
        return packet;
    }

    /// <summary>A packet on <paramref name="pid"/> with a payload only (pointer field 0 when it starts a unit).</summary>
    private static byte[] Packet(int pid, bool unitStart = false, byte fill = 0xAB)
    {
        byte[] packet = new byte[MpegTsPacket.Size];
        packet.AsSpan().Fill(fill);
        packet[0] = MpegTsPacket.SyncByte;
        packet[1] = (byte)((unitStart ? 0x40 : 0) | (pid >> 8));
        packet[2] = (byte)pid;
        packet[3] = 0x10;
        packet[4] = 0;
        return packet;
    }

    /// <summary>A tracker that has applied the default PAT and PMT (version 0): video on <see cref="VideoPid"/>.</summary>
    private static MpegTsProgramTracker Following()
    {
        var tracker = new MpegTsProgramTracker();
        Assert.Equal(MpegTsPacketKind.Pat, Track(tracker, Pat()));
        Assert.Equal(MpegTsPacketKind.Pmt, Track(tracker, Pmt()));
        return tracker;
    }

    private static MpegTsPacketKind Track(MpegTsProgramTracker tracker, byte[] packet) => tracker.Track(packet, out _);

    private static List<MpegTsPacketKind> TrackAll(MpegTsProgramTracker tracker, byte[] stream)
    {
        var kinds = new List<MpegTsPacketKind>();
        for (int offset = 0; offset + MpegTsPacket.Size <= stream.Length; offset += MpegTsPacket.Size)
        {
            kinds.Add(tracker.Track(stream.AsSpan(offset, MpegTsPacket.Size), out _));
        }

        return kinds;
    }

    [Fact]
    public void PatThenPmtNameTheVideoStreamAndEveryPacketIsToldApart()
    {
        var ts = new TransportStreamBuilder().Pat().Pmt().Video(keyframe: true, randomAccessIndicator: true, packets: 2).Audio().Null();
        var tracker = new MpegTsProgramTracker();

        List<MpegTsPacketKind> kinds = TrackAll(tracker, ts.ToArray());

        Assert.Equal(
            [MpegTsPacketKind.Pat, MpegTsPacketKind.Pmt, MpegTsPacketKind.Stream, MpegTsPacketKind.Stream, MpegTsPacketKind.OtherStream, MpegTsPacketKind.Stuffing],
            kinds);
        Assert.Equal(PmtPid, tracker.PmtPid);
        Assert.Equal(VideoPid, tracker.StreamPid);
        Assert.Equal(MpegTsStreamTypes.H264, tracker.StreamType);
        Assert.True(tracker.HasStream);
        Assert.True(tracker.IsVideo);
        Assert.Equal(0, tracker.PatVersion);
        Assert.Equal(0, tracker.PmtVersion);
        Assert.Equal(0, tracker.DamagedPackets);
    }

    [Fact]
    public void NewTrackerKnowsNoProgramme()
    {
        var tracker = new MpegTsProgramTracker();

        Assert.Equal(-1, tracker.PmtPid);
        Assert.Equal(-1, tracker.StreamPid);
        Assert.Equal(0, tracker.StreamType);
        Assert.False(tracker.HasStream);
        Assert.False(tracker.IsVideo);
        Assert.Equal(-1, tracker.PatVersion);
        Assert.Equal(-1, tracker.PmtVersion);
        Assert.False(tracker.StreamChanged);
    }

    [Fact]
    public void PmtAndStreamBeforeAnyPatAreNotFollowed()
    {
        var tracker = new MpegTsProgramTracker();

        Assert.Equal(MpegTsPacketKind.OtherStream, Track(tracker, Pmt()));
        Assert.Equal(MpegTsPacketKind.OtherStream, Track(tracker, Packet(VideoPid, unitStart: true)));
        Assert.False(tracker.HasStream);

        Assert.Equal(MpegTsPacketKind.Pat, Track(tracker, Pat()));
        Assert.Equal(MpegTsPacketKind.Pmt, Track(tracker, Pmt()));
        Assert.Equal(MpegTsPacketKind.Stream, Track(tracker, Packet(VideoPid, unitStart: true)));
    }

    [Fact]
    public void ProgrammeWithoutVideoFollowsItsFirstStream()
    {
        var tracker = new MpegTsProgramTracker();
        Track(tracker, Pat());

        Assert.Equal(MpegTsPacketKind.Pmt, Track(tracker, Pmt(0, [(0x0F, AudioPid), (0x06, 0x102)])));

        Assert.Equal(AudioPid, tracker.StreamPid);
        Assert.Equal(0x0F, tracker.StreamType);
        Assert.True(tracker.HasStream);
        Assert.False(tracker.IsVideo);
        Assert.Equal(MpegTsPacketKind.Stream, Track(tracker, Packet(AudioPid)));
    }

    [Fact]
    public void VideoListedAfterAudioIsTheMainStream()
    {
        var tracker = new MpegTsProgramTracker();
        Track(tracker, Pat());

        Track(tracker, Pmt(0, [(0x0F, AudioPid), (MpegTsStreamTypes.Hevc, 0x1E0)]));

        Assert.Equal(0x1E0, tracker.StreamPid);
        Assert.Equal(MpegTsStreamTypes.Hevc, tracker.StreamType);
        Assert.Equal(MpegTsPacketKind.OtherStream, Track(tracker, Packet(AudioPid)));
    }

    [Fact]
    public void PmtVersionThatMovesTheVideoPidSwitchesToItAtOnce()
    {
        var tracker = new MpegTsProgramTracker();
        Track(tracker, Pat());
        Track(tracker, Pmt(version: 0, videoPid: VideoPid));
        Assert.Equal(VideoPid, tracker.StreamPid);

        Assert.Equal(MpegTsPacketKind.Pmt, Track(tracker, Pmt(version: 1, videoPid: 0x200)));
        Assert.True(tracker.StreamChanged);
        Assert.Equal(0x200, tracker.StreamPid);
        Assert.Equal(1, tracker.PmtVersion);

        Assert.Equal(MpegTsPacketKind.OtherStream, Track(tracker, Packet(VideoPid, unitStart: true)));
        Assert.False(tracker.StreamChanged); // Said once, by the call that changed it.
        Assert.Equal(MpegTsPacketKind.Stream, Track(tracker, Packet(0x200, unitStart: true)));
    }

    [Fact]
    public void PmtThatChangesOnlyTheVideoStreamTypeChangesTheStream()
    {
        var tracker = new MpegTsProgramTracker();
        Track(tracker, Pat());
        Track(tracker, Pmt(version: 0, videoType: MpegTsStreamTypes.H264));

        Track(tracker, Pmt(version: 1, videoType: MpegTsStreamTypes.Hevc));

        Assert.True(tracker.StreamChanged);
        Assert.Equal(VideoPid, tracker.StreamPid);
        Assert.Equal(MpegTsStreamTypes.Hevc, tracker.StreamType);
    }

    [Fact]
    public void PatVersionThatMovesThePmtForgetsTheStreamUntilThePmtOnTheNewPid()
    {
        var tracker = new MpegTsProgramTracker();
        Track(tracker, Pat(PmtPid, version: 0));
        Track(tracker, Pmt());

        Assert.Equal(MpegTsPacketKind.Pat, Track(tracker, Pat(0x1100, version: 1)));
        Assert.True(tracker.StreamChanged);
        Assert.Equal(0x1100, tracker.PmtPid);
        Assert.Equal(1, tracker.PatVersion);
        Assert.Equal(-1, tracker.StreamPid);
        Assert.Equal(-1, tracker.PmtVersion);
        Assert.False(tracker.HasStream);

        Assert.Equal(MpegTsPacketKind.OtherStream, Track(tracker, Pmt())); // The old PMT's PID is no table any more.
        Assert.Equal(MpegTsPacketKind.OtherStream, Track(tracker, Packet(VideoPid, unitStart: true)));
        Assert.False(tracker.HasStream);

        Assert.Equal(MpegTsPacketKind.Pmt, Track(tracker, Pmt(3, [(MpegTsStreamTypes.H264, VideoPid)], pid: 0x1100)));
        Assert.True(tracker.StreamChanged);
        Assert.Equal(VideoPid, tracker.StreamPid);
        Assert.Equal(3, tracker.PmtVersion);
        Assert.Equal(MpegTsPacketKind.Stream, Track(tracker, Packet(VideoPid, unitStart: true)));
    }

    [Fact]
    public void NewVersionsThatNameTheSamePidsChangeOnlyTheVersions()
    {
        var tracker = new MpegTsProgramTracker();
        Track(tracker, Pat(version: 0));
        Track(tracker, Pmt(version: 0));

        Assert.Equal(MpegTsPacketKind.Pat, Track(tracker, Pat(version: 7)));
        Assert.False(tracker.StreamChanged);
        Assert.Equal(MpegTsPacketKind.Pmt, Track(tracker, Pmt(version: 31)));
        Assert.False(tracker.StreamChanged);

        Assert.Equal((7, 31, PmtPid, VideoPid), (tracker.PatVersion, tracker.PmtVersion, tracker.PmtPid, tracker.StreamPid));
    }

    [Fact]
    public void TableWithTheSameVersionButOtherContentIsAppliedAllTheSame()
    {
        var tracker = new MpegTsProgramTracker();
        Track(tracker, Pat(version: 4));
        Track(tracker, Pmt(version: 4, videoPid: VideoPid));

        Assert.Equal(MpegTsPacketKind.Pmt, Track(tracker, Pmt(version: 4, videoPid: 0x300))); // An encoder restarted at version 4.

        Assert.True(tracker.StreamChanged);
        Assert.Equal(0x300, tracker.StreamPid);
    }

    [Fact]
    public void TablesAnnouncedForLaterAreNotApplied()
    {
        MpegTsProgramTracker tracker = Following();

        Assert.Equal(MpegTsPacketKind.Table, Track(tracker, Pat(0x1100, version: 1, current: false)));
        Assert.Equal(MpegTsPacketKind.Table, Track(tracker, Pmt(1, [(MpegTsStreamTypes.H264, 0x200)], current: false)));

        Assert.False(tracker.StreamChanged);
        Assert.Equal((PmtPid, VideoPid, 0, 0), (tracker.PmtPid, tracker.StreamPid, tracker.PatVersion, tracker.PmtVersion));
    }

    [Fact]
    public void TablesWhoseCrcFailsChangeNothing()
    {
        MpegTsProgramTracker tracker = Following();
        byte[] pat = Pat(0x1100, version: 1);
        pat[5 + 11] ^= 0x01; // The PMT PID's low byte: the CRC no longer matches.
        byte[] pmt = Pmt(version: 1, videoPid: 0x200);
        pmt[5 + 12] ^= 0x01; // The first stream type.

        Assert.Equal(MpegTsPacketKind.Table, Track(tracker, pat));
        Assert.Equal(MpegTsPacketKind.Table, Track(tracker, pmt));

        Assert.Equal((PmtPid, VideoPid, MpegTsStreamTypes.H264), (tracker.PmtPid, tracker.StreamPid, tracker.StreamType));
    }

    [Fact]
    public void SectionThatContinuesInTheNextPacketIsNotRead()
    {
        MpegTsProgramTracker tracker = Following();
        byte[] start = Pmt(version: 1, videoPid: 0x200);
        start[5 + 1] = 0xB1; // section_length 0x1xx: the section runs on into the next packet.
        byte[] continuation = Packet(PmtPid, fill: 0xFF);

        Assert.Equal(MpegTsPacketKind.Table, Track(tracker, start));
        Assert.Equal(MpegTsPacketKind.Table, Track(tracker, continuation));

        Assert.Equal((VideoPid, 0), (tracker.StreamPid, tracker.PmtVersion));
    }

    [Fact]
    public void PatOrPmtPacketThatStartsNoSectionIsATable()
    {
        var tracker = new MpegTsProgramTracker();

        Assert.Equal(MpegTsPacketKind.Table, Track(tracker, Packet(0))); // PID 0 without payload_unit_start
        Track(tracker, Pat());
        Assert.Equal(MpegTsPacketKind.Table, Track(tracker, Packet(PmtPid)));
        Assert.Equal(MpegTsPacketKind.Table, Track(tracker, TablePacket(PmtPid, [0x42, 0, 0, 0x00, 0x01, 0xC1, 0x00, 0x00]))); // Another table_id
        Assert.Equal(MpegTsPacketKind.Table, Track(tracker, Pmt(0, [])));                                                 // A PMT without streams
        Assert.False(tracker.HasStream);
    }

    [Theory]
    [InlineData(0x01)] // CAT
    [InlineData(0x10)] // NIT
    [InlineData(0x11)] // SDT
    [InlineData(0x12)] // EIT
    [InlineData(0x1F)]
    public void OtherTablePidsAreTables(int pid)
    {
        var tracker = new MpegTsProgramTracker();

        Assert.Equal(MpegTsPacketKind.Table, Track(tracker, Packet(pid, unitStart: true)));
    }

    [Fact]
    public void LostSyncDropsThePacketKeepsTheTablesAndTheNextPacketIsInSyncAgain()
    {
        MpegTsProgramTracker tracker = Following();
        byte[] lost = Packet(VideoPid);
        lost[0] = 0x00;

        Assert.Equal(MpegTsPacketKind.Damaged, tracker.Track(lost, out MpegTsPacket packet));
        Assert.Equal(MpegTsPacketKind.Damaged, tracker.Track(new byte[MpegTsPacket.Size], out _));

        Assert.True(packet.Bytes.IsEmpty); // No packet
        Assert.Equal(2, tracker.DamagedPackets);
        Assert.Equal((PmtPid, VideoPid), (tracker.PmtPid, tracker.StreamPid));
        Assert.False(tracker.StreamChanged);
        Assert.Equal(MpegTsPacketKind.Stream, tracker.Track(Packet(VideoPid, unitStart: true), out packet));
        Assert.Equal(VideoPid, packet.Pid);
    }

    [Fact]
    public void PacketMarkedInErrorIsDamagedEvenWhenItLooksLikeATable()
    {
        MpegTsProgramTracker tracker = Following();
        byte[] pat = Pat(0x1100, version: 1);
        pat[1] |= 0x80; // transport_error_indicator

        Assert.Equal(MpegTsPacketKind.Damaged, tracker.Track(pat, out MpegTsPacket packet));

        Assert.True(packet.TransportError);
        Assert.Equal(PmtPid, tracker.PmtPid);
        Assert.Equal(1, tracker.DamagedPackets);
    }

    [Fact]
    public void PacketWithAnImpossibleAdaptationFieldOrTooFewBytesIsDamaged()
    {
        var tracker = new MpegTsProgramTracker();
        byte[] overrun = Packet(VideoPid);
        overrun[3] = 0x30; // adaptation field and payload
        overrun[4] = 200;  // adaptation_field_length beyond the packet

        Assert.Equal(MpegTsPacketKind.Damaged, Track(tracker, overrun));
        Assert.Equal(MpegTsPacketKind.Damaged, tracker.Track(Pat().AsSpan(0, MpegTsPacket.Size - 1), out _));
        Assert.Equal(MpegTsPacketKind.Damaged, tracker.Track([], out _));
        Assert.Equal(3, tracker.DamagedPackets);
        Assert.Equal(-1, tracker.PmtPid);
    }

    [Fact]
    public void BytesAfterThePacketAreIgnored()
    {
        var tracker = new MpegTsProgramTracker();
        byte[] twoPackets = [.. Pat(), .. Pmt()];

        Assert.Equal(MpegTsPacketKind.Pat, tracker.Track(twoPackets, out MpegTsPacket packet));

        Assert.Equal(MpegTsPacket.Size, packet.Bytes.Length);
        Assert.False(tracker.HasStream);
    }

    [Fact]
    public void GarbageOnTheGridNeverThrowsAndNeverNamesAProgramme()
    {
        var random = new Random(23);
        var tracker = new MpegTsProgramTracker();
        byte[] packet = new byte[MpegTsPacket.Size];
        var seen = new HashSet<MpegTsPacketKind>();
        for (int i = 0; i < 20_000; i++)
        {
            random.NextBytes(packet);
            if (i % 2 == 0)
            {
                // Half the packets in sync, without transport error, starting a unit: every other one on the PAT's PID.
                packet[0] = MpegTsPacket.SyncByte;
                packet[1] = (byte)(0x40 | (i % 4 == 0 ? 0 : packet[1] & 0x1F));
                packet[2] = i % 4 == 0 ? (byte)0 : packet[2];
            }

            seen.Add(tracker.Track(packet, out _));
        }

        Assert.DoesNotContain(MpegTsPacketKind.Pat, seen); // Random sections never pass the CRC.
        Assert.Contains(MpegTsPacketKind.Damaged, seen);
        Assert.Contains(MpegTsPacketKind.Table, seen);
        Assert.Equal(-1, tracker.PmtPid);
        Assert.False(tracker.HasStream);
    }

    [Fact]
    public void ValidProgrammeAfterGarbageIsFollowed()
    {
        var random = new Random(5);
        byte[] garbage = new byte[50 * MpegTsPacket.Size];
        random.NextBytes(garbage);
        var ts = new TransportStreamBuilder().Gop(frames: 2);
        var tracker = new MpegTsProgramTracker();

        TrackAll(tracker, garbage);
        List<MpegTsPacketKind> kinds = TrackAll(tracker, ts.ToArray());

        Assert.Equal([MpegTsPacketKind.Pat, MpegTsPacketKind.Pmt], kinds.Take(2));
        Assert.Equal(VideoPid, tracker.StreamPid);
    }

    [Fact]
    public void TrackingAStreamAllocatesNothing()
    {
        var ts = new TransportStreamBuilder();
        for (int i = 0; i < 5; i++)
        {
            ts.Gop(frames: 5).Null();
        }

        byte[] data = [.. ts.ToArray(), .. Pmt(version: 1, videoPid: 0x200), .. Pat(0x1100, version: 1), .. new byte[MpegTsPacket.Size]];
        var tracker = new MpegTsProgramTracker();

        long streamPackets = AllocationAssert.NothingInSteadyState(
            () =>
            {
                long stream = 0;
                for (int offset = 0; offset < data.Length; offset += MpegTsPacket.Size)
                {
                    stream += tracker.Track(data.AsSpan(offset, MpegTsPacket.Size), out _) == MpegTsPacketKind.Stream ? 1 : 0;
                }

                return stream;
            },
            "MpegTsProgramTracker.Track");

        Assert.Equal(5 * 5 * 3, streamPackets); // Five groups of five 3-packet video frames; the PID moves only at the end.
    }

    [Fact]
    public void ToStringDescribesTheProgramme()
    {
        var tracker = new MpegTsProgramTracker();
        Track(tracker, Pat(version: 2));
        Track(tracker, Pmt(version: 3));

        string text = tracker.ToString();

        Assert.Contains("MpegTsProgramTracker", text, StringComparison.Ordinal);
        Assert.Contains($"PmtPid = {PmtPid}", text, StringComparison.Ordinal);
        Assert.Contains($"StreamPid = {VideoPid}", text, StringComparison.Ordinal);
        Assert.Contains("PatVersion = 2, PmtVersion = 3", text, StringComparison.Ordinal);
    }
}
