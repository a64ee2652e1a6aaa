using System.Diagnostics;

namespace ZeroCopy;

/// <summary>
/// Finds where a viewer can join an MPEG transport stream: at a video keyframe, with the PAT and PMT it needs to find
/// the programme first. Plugged into a <see cref="LiveCache"/> so that a late joiner's first bytes decode
/// (<c>ffmpeg -i</c> on the viewer's connection starts at a keyframe).
/// </summary>
/// <remarks>
/// <para>
/// <b>Units.</b> 188-byte packets, counted from the stream's first byte, which must start a packet (as every muxer and
/// TS-over-TCP/UDP ingest does). Readers only see whole packets, and every reader position is a multiple of 188. The
/// programme is followed by an <see cref="MpegTsProgramTracker"/>, whose rules apply: a damaged packet (lost sync, or the
/// transport_error_indicator set) is dropped and ends a keyframe scan, the tables in force stay.
/// </para>
/// <para>
/// <b>Keyframes.</b> On the PMT's first video stream (<see cref="MpegTsStreamTypes"/>; without video, its first stream), a
/// packet that starts a PES (payload_unit_start_indicator) is a keyframe when its adaptation field sets
/// random_access_indicator, or, for H.264 and HEVC, when the PES's first picture is an IDR/IRAP picture
/// (<see cref="MpegTsKeyframeScanner"/>, searched across packets, up to 64 KiB). Other codecs (MPEG-2 video, for
/// example) rely on the indicator.
/// </para>
/// <para>
/// <b>PAT and PMT.</b> The detector keeps a copy of the packets of the PAT and the PMT in force, as the
/// <see cref="MpegTsProgramTracker"/> applies them: each must fit in one packet, as they do in practice; one whose CRC
/// fails, or that is not current, is ignored; the newest valid one is in force, whatever its version_number; a PAT that
/// moves the PMT forgets the key stream until the new PMT comes. The sync point is then placed:
/// </para>
/// <list type="bullet">
/// <item><description>
/// at the PAT, with no preamble, when the PAT and then the PMT precede the keyframe with only tables or null packets in
/// between — what ffmpeg and most muxers write before every keyframe. The reader gets the stream's own bytes, no copy;
/// </description></item>
/// <item><description>
/// otherwise at the keyframe's packet, with a 376-byte preamble holding copies of the latest PAT and PMT packets. The
/// preamble is allocated once per change of those tables and shared, read-only, by every reader that joins there
/// (no copy per reader); its packets' continuity counters are those of the copied packets.
/// </description></item>
/// </list>
/// <para>
/// <b>Time.</b> Each sync point carries its keyframe's presentation time (<see cref="SyncPoint.PresentationTime"/>): the
/// PES's PTS, unwrapped onto one continuous time line (<see cref="MpegTsPesHeader.UnwrapTimestamp"/>, against the key
/// stream's previous PTS, so the 26.5-hour wrap of the 33-bit clock does not go back in time). A PES without a PTS gives
/// a sync point without a time.
/// </para>
/// <para>
/// <b>Cost.</b> O(bytes) on the writer's thread: header parsing per packet (<see cref="MpegTsPacket"/>), a CRC check per
/// PAT and PMT, a byte scan only over the first NAL units of video PES packets while looking for a keyframe; no allocation except a new preamble when the tables change.
/// </para>
/// </remarks>
[DebuggerDisplay("PmtPid = {_program.PmtPid}, KeyPid = {_program.StreamPid}, LastSyncPoint = {_lastReported}")]
public sealed class MpegTsSyncPointDetector : ISyncPointDetector
{
    /// <summary>The size of a transport stream packet: 188 bytes (<see cref="MpegTsPacket.Size"/>).</summary>
    public const int PacketSize = MpegTsPacket.Size;

    private readonly byte[] _carry = new byte[PacketSize];
    private readonly byte[] _pat = new byte[PacketSize];
    private readonly byte[] _pmt = new byte[PacketSize];

    // Follows the PAT, the PMT and the key (main) stream's PID: the library's one rule for new versions and lost sync.
    private readonly MpegTsProgramTracker _program = new();

    // Looks for an IDR/IRAP picture in the key PID's current PES.
    private readonly MpegTsKeyframeScanner _scanner = new();
    private int _carryLength;
    private long _patPosition = -1;
    private long _pmtPosition = -1;
    private bool _onlyTablesSincePat;
    private ReadOnlyMemory<byte> _preamble;
    private bool _preambleStale = true;
    private long _lastReported = -1;

    // Where a reader would start for the PES being scanned, whether it needs the preamble, and the PES's presentation time.
    private long _candidate;
    private bool _candidateNeedsPreamble;
    private TimeSpan? _candidateTime;
    private long _lastPts = -1;                 // the key stream's last PTS, unwrapped: the reference for the next one

    /// <summary>Creates a detector for one transport stream (one per <see cref="LiveCache"/>).</summary>
    public MpegTsSyncPointDetector()
    {
    }

    /// <summary>The transport stream packet: 188 bytes.</summary>
    public int UnitSize => PacketSize;

    /// <summary>
    /// Parses the packets that <paramref name="data"/> completes (carrying a partial packet over to the next call) and
    /// reports the newest keyframe sync point among them.
    /// </summary>
    /// <param name="position">The stream position of <c>data[0]</c>.</param>
    /// <param name="data">The bytes just written; not kept.</param>
    /// <param name="syncPoint">The newest sync point found, when the method returns <see langword="true"/>.</param>
    /// <returns><see langword="true"/> when these bytes completed a keyframe that readers may start at.</returns>
    public bool Inspect(long position, ReadOnlySpan<byte> data, out SyncPoint syncPoint)
    {
        syncPoint = default;
        bool found = false;
        long packetPosition = position - _carryLength;
        if (_carryLength > 0)
        {
            int take = Math.Min(PacketSize - _carryLength, data.Length);
            data[..take].CopyTo(_carry.AsSpan(_carryLength));
            _carryLength += take;
            data = data[take..];
            if (_carryLength < PacketSize)
            {
                return false;
            }

            found |= ProcessPacket(_carry, packetPosition, ref syncPoint);
            packetPosition += PacketSize;
            _carryLength = 0;
        }

        while (data.Length >= PacketSize)
        {
            found |= ProcessPacket(data[..PacketSize], packetPosition, ref syncPoint);
            packetPosition += PacketSize;
            data = data[PacketSize..];
        }

        data.CopyTo(_carry);
        _carryLength = data.Length;
        return found;
    }

    /// <summary>Describes the detector's state; never throws.</summary>
    /// <returns>A short description.</returns>
    public override string ToString() =>
        $"MpegTsSyncPointDetector PmtPid = {_program.PmtPid}, KeyPid = {_program.StreamPid}, LastSyncPoint = {_lastReported}";

    /// <summary>
    /// One packet: the programme tracker says what it is, the scanner applies the keyframe rule to it; a PAT or PMT in
    /// force is kept for the preamble, and a PES start of the key stream makes the candidate sync point that a keyframe,
    /// found at its start or in a later packet, reports.
    /// </summary>
    private bool ProcessPacket(ReadOnlySpan<byte> bytes, long position, ref SyncPoint syncPoint)
    {
        MpegTsPacketKind kind = _program.Track(bytes, out MpegTsPacket packet);
        bool keyframe = _scanner.Follow(_program, kind, packet);
        switch (kind)
        {
            case MpegTsPacketKind.Damaged:
                _onlyTablesSincePat = false;
                return false;
            case MpegTsPacketKind.Pat:
                StoreTable(_pat, bytes);
                _patPosition = position;
                _onlyTablesSincePat = true;
                return false;
            case MpegTsPacketKind.Pmt:
                StoreTable(_pmt, bytes);
                _pmtPosition = position;
                return false;
            case MpegTsPacketKind.Table or MpegTsPacketKind.Stuffing:
                return false; // Other tables (CAT, NIT, SDT, EIT, ...) and stuffing keep "only tables since the PAT".
            default:
                if (kind == MpegTsPacketKind.Stream && packet.PayloadUnitStart)
                {
                    SetCandidate(packet.Payload, position);
                }

                _onlyTablesSincePat = false;
                return keyframe && Report(ref syncPoint);
        }
    }

    /// <summary>
    /// A PES start of the key stream: where a reader starting with it starts, at the PAT when the PAT and PMT directly
    /// precede it (no copy), otherwise at this packet with the tables as a preamble; and its time.
    /// </summary>
    private void SetCandidate(ReadOnlySpan<byte> payload, long position)
    {
        bool atTables = _onlyTablesSincePat && _pmtPosition > _patPosition;
        _candidate = atTables ? _patPosition : position;
        _candidateNeedsPreamble = !atTables;
        _candidateTime = MpegTsPesHeader.TryRead(payload, out MpegTsPesHeader header) && header.Pts is long pts ? Unwrap(pts) : null;
    }

    private bool Report(ref SyncPoint syncPoint)
    {
        if (_candidate <= _lastReported)
        {
            return false;
        }

        _lastReported = _candidate;
        syncPoint = new SyncPoint(_candidate, _candidateNeedsPreamble ? GetPreamble() : default, _candidateTime);
        return true;
    }

    /// <summary>Puts the key stream's PTS on one continuous time line (its first PTS as read, then past each 2^33 wrap).</summary>
    private TimeSpan Unwrap(long pts)
    {
        _lastPts = _lastPts < 0 ? pts : MpegTsPesHeader.UnwrapTimestamp(pts, _lastPts);
        return MpegTsPesHeader.ToTimeSpan(Math.Max(_lastPts, 0));
    }

    private ReadOnlyMemory<byte> GetPreamble()
    {
        if (_preambleStale)
        {
            // A new array, never the old one: readers that joined earlier still hold the previous preamble.
            byte[] preamble = new byte[2 * PacketSize];
            _pat.CopyTo(preamble, 0);
            _pmt.CopyTo(preamble, PacketSize);
            _preamble = preamble;
            _preambleStale = false;
        }

        return _preamble;
    }

    /// <summary>Keeps a copy of a table's packet; a change other than the continuity counter makes the preamble stale.</summary>
    private void StoreTable(byte[] table, ReadOnlySpan<byte> packet)
    {
        bool changed = !packet[..3].SequenceEqual(table.AsSpan(0, 3)) || (packet[3] & 0xF0) != (table[3] & 0xF0) || !packet[4..].SequenceEqual(table.AsSpan(4));
        if (changed)
        {
            packet.CopyTo(table);
            _preambleStale = true;
        }
    }
}
