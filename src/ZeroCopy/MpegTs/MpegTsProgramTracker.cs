using System.Diagnostics;

namespace ZeroCopy;

/// <summary>
/// Follows a transport stream's programme packet by packet: the PAT names the PMT's PID, the PMT names the main stream
/// (<see cref="StreamPid"/>), and each packet is told apart (<see cref="MpegTsPacketKind"/>). The one place where the
/// library and its users decide what a new table version, a moved PID or lost sync does.
/// </summary>
/// <remarks>
/// <para>
/// <b>Tables.</b> A PAT or PMT is read from the packet that starts its section (payload_unit_start_indicator), after the
/// pointer field; the section must end in that packet, as PATs and PMTs do in practice (<see cref="MpegTsTables"/>: a
/// section spread over several packets is not read). A section is applied only when its CRC_32 matches and its
/// current_next_indicator is 1; a damaged section, or one announced for later, changes nothing. The PAT's first programme
/// is followed; the PMT's main stream is its first video stream (<see cref="MpegTsStreamTypes.IsVideo"/>), or its first
/// stream when it has no video.
/// </para>
/// <para>
/// <b>Versions: the content decides.</b> Every valid, current table is applied, whatever its version_number: the newest
/// table is the one in force. A new version that names the same PIDs changes nothing but <see cref="PatVersion"/> or
/// <see cref="PmtVersion"/>; a repetition with the old version but other content (an encoder restarted without
/// incrementing it) is applied all the same. A PAT that moves the PMT to another PID forgets the PMT and the main stream
/// until a PMT arrives on the new PID; a PMT that names another main stream switches to it at once. Either sets
/// <see cref="StreamChanged"/>, so that the caller ends whatever it was doing with the old stream.
/// </para>
/// <para>
/// <b>Lost sync: drop the packet, keep the tables.</b> Packets lie on the caller's 188-byte grid (every position in the
/// library, and every reader's, is a multiple of the packet size). Bytes on the grid that are not a packet, and a packet
/// whose transport_error_indicator is set, are <see cref="MpegTsPacketKind.Damaged"/>: the caller drops them and ends what
/// spans packets (a PES being scanned); the tables in force stay, since losing bytes does not change what the muxer
/// sends. The tracker is back in sync with the next packet on the grid that parses; it never re-aligns the grid, because
/// no caller could follow a packet that is not at a multiple of 188. <see cref="DamagedPackets"/> counts them.
/// </para>
/// <para>
/// <b>Cost.</b> <see cref="Track"/> is O(1) per packet (its header) plus, for a PAT or PMT packet, one CRC pass over a
/// section of at most 183 bytes; no copy, no allocation. One tracker follows one stream, in order, on one thread; it is
/// not thread-safe.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// var tracker = new MpegTsProgramTracker();
/// for (int offset = 0; offset + MpegTsPacket.Size &lt;= data.Length; offset += MpegTsPacket.Size)
/// {
///     MpegTsPacketKind kind = tracker.Track(data.Slice(offset, MpegTsPacket.Size), out MpegTsPacket packet);
///     if (kind == MpegTsPacketKind.Stream &amp;&amp; tracker.IsVideo &amp;&amp; packet.PayloadUnitStart)
///     {
///         // A video PES starts here.
///     }
/// }
/// </code>
/// </example>
[DebuggerDisplay("PmtPid = {PmtPid}, StreamPid = {StreamPid}, StreamType = {StreamType}, DamagedPackets = {DamagedPackets}")]
public sealed class MpegTsProgramTracker
{
    // The PMT's PID, from the PAT in force; -1 before the first PAT.
    private int _pmtPid = -1;

    // The main stream's PID and stream type, from the PMT in force; -1 and 0 while there is none.
    private int _streamPid = -1;
    private byte _streamType;

    // The version_number of the PAT and of the PMT in force; -1 while there is none.
    private int _patVersion = -1;
    private int _pmtVersion = -1;

    // Whether the last Track call changed the main stream.
    private bool _streamChanged;

    // How many packets Track found damaged (lost sync or transport_error_indicator).
    private long _damagedPackets;

    /// <summary>Creates a tracker that knows no table yet.</summary>
    /// <remarks>O(1); the only allocation the tracker makes.</remarks>
    public MpegTsProgramTracker()
    {
    }

    /// <summary>The PID of the programme's PMT, as the PAT in force names it; -1 before the first valid PAT.</summary>
    public int PmtPid => _pmtPid;

    /// <summary>
    /// The PID of the programme's main stream (its first video stream, else its first stream), as the PMT in force names
    /// it; -1 while no PMT is in force (before the first, or after a PAT moved the PMT to another PID).
    /// </summary>
    public int StreamPid => _streamPid;

    /// <summary>The main stream's PMT stream_type; 0 while <see cref="StreamPid"/> is -1.</summary>
    public byte StreamType => _streamType;

    /// <summary>Whether a main stream is known: a PMT is in force.</summary>
    public bool HasStream => _streamPid >= 0;

    /// <summary>Whether the main stream is video (<see cref="MpegTsStreamTypes.IsVideo"/>); a programme without video has another main stream.</summary>
    public bool IsVideo => _streamPid >= 0 && MpegTsStreamTypes.IsVideo(_streamType);

    /// <summary>The version_number (0 to 31) of the PAT in force; -1 before the first.</summary>
    public int PatVersion => _patVersion;

    /// <summary>The version_number (0 to 31) of the PMT in force; -1 while none is.</summary>
    public int PmtVersion => _pmtVersion;

    /// <summary>
    /// Whether the last <see cref="Track"/> call changed the main stream: a PMT named another PID or stream type, or a
    /// PAT moved the PMT and so forgot the stream. The caller ends what it was doing with the old stream (a keyframe scan).
    /// </summary>
    public bool StreamChanged => _streamChanged;

    /// <summary>How many packets <see cref="Track"/> returned <see cref="MpegTsPacketKind.Damaged"/> for.</summary>
    public long DamagedPackets => _damagedPackets;

    /// <summary>
    /// Reads the packet in the first <see cref="MpegTsPacket.Size"/> bytes of <paramref name="bytes"/>, applies it if it
    /// is a PAT or PMT, and tells what it is to the programme.
    /// </summary>
    /// <param name="bytes">The next packet on the stream's grid: at least 188 bytes (more are ignored). Not kept: the
    /// tracker keeps the values it reads, never the bytes.</param>
    /// <param name="packet">The packet, a view of <paramref name="bytes"/>; <see langword="default"/> (no packet) when the
    /// method returns <see cref="MpegTsPacketKind.Damaged"/> for bytes that are not one.</param>
    /// <returns>What the packet is (see <see cref="MpegTsPacketKind"/>); <see cref="StreamPid"/> and the other properties
    /// already reflect it (a PMT that moves the main stream makes the packets after it <see cref="MpegTsPacketKind.Stream"/>).</returns>
    /// <remarks>O(1), plus one CRC pass for a PAT or PMT packet; no copy, no allocation; never throws.</remarks>
    public MpegTsPacketKind Track(ReadOnlySpan<byte> bytes, out MpegTsPacket packet)
    {
        _streamChanged = false;
        if (!MpegTsPacket.TryParse(bytes, out packet) || packet.TransportError)
        {
            _damagedPackets++;
            return MpegTsPacketKind.Damaged;
        }

        int pid = packet.Pid;
        if (pid == 0)
        {
            return packet.PayloadUnitStart && TryApplyPat(packet.Payload) ? MpegTsPacketKind.Pat : MpegTsPacketKind.Table;
        }

        if (pid == _pmtPid)
        {
            return packet.PayloadUnitStart && TryApplyPmt(packet.Payload) ? MpegTsPacketKind.Pmt : MpegTsPacketKind.Table;
        }

        if (pid < 0x20)
        {
            return MpegTsPacketKind.Table;
        }

        if (pid == MpegTsPacket.NullPid)
        {
            return MpegTsPacketKind.Stuffing;
        }

        return pid == _streamPid ? MpegTsPacketKind.Stream : MpegTsPacketKind.OtherStream;
    }

    /// <summary>Describes the programme as the tracker knows it; never throws.</summary>
    /// <returns>A short description.</returns>
    public override string ToString() =>
        $"MpegTsProgramTracker PmtPid = {_pmtPid}, StreamPid = {_streamPid}, StreamType = 0x{_streamType:X2}, PatVersion = {_patVersion}, PmtVersion = {_pmtVersion}, DamagedPackets = {_damagedPackets}";

    /// <summary>A PAT's first programme becomes the one followed; a new PMT PID forgets the PMT and the main stream.</summary>
    private bool TryApplyPat(ReadOnlySpan<byte> payload)
    {
        if (!MpegTsTables.TryReadSection(payload, MpegTsTables.PatTableId, out ReadOnlySpan<byte> section)
            || !MpegTsTables.TryReadVersion(section, out int version, out bool current) || !current
            || !MpegTsTables.TryReadPatSection(section, out int pmtPid))
        {
            return false;
        }

        _patVersion = version;
        if (pmtPid != _pmtPid)
        {
            _pmtPid = pmtPid;
            _pmtVersion = -1;
            _streamChanged = _streamPid >= 0;
            _streamPid = -1;
            _streamType = 0;
        }

        return true;
    }

    /// <summary>A PMT's main stream becomes the one followed.</summary>
    private bool TryApplyPmt(ReadOnlySpan<byte> payload)
    {
        if (!MpegTsTables.TryReadSection(payload, MpegTsTables.PmtTableId, out ReadOnlySpan<byte> section)
            || !MpegTsTables.TryReadVersion(section, out int version, out bool current) || !current
            || !MpegTsTables.TryReadPmtSection(section, out int streamPid, out byte streamType))
        {
            return false;
        }

        _pmtVersion = version;
        _streamChanged = streamPid != _streamPid || streamType != _streamType;
        _streamPid = streamPid;
        _streamType = streamType;
        return true;
    }
}
