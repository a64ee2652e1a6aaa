using System.Diagnostics;

namespace ZeroCopy;

/// <summary>
/// Tells whether a video PES starts with a keyframe from its NAL units: an H.264 IDR picture or an HEVC IRAP picture
/// before any other slice. Fed the PES's elementary stream bytes packet by packet, it keeps its place across packets.
/// </summary>
/// <remarks>
/// <para>
/// This is for muxers that do not set the random-access indicator (<see cref="MpegTsPacket.RandomAccessIndicator"/>);
/// when the indicator is set, the packet starts a keyframe and no scan is needed. Only <see cref="MpegTsStreamTypes.H264"/>
/// and <see cref="MpegTsStreamTypes.Hevc"/> are scanned (<see cref="CanScan"/>).
/// </para>
/// <para>
/// <b>Cost.</b> One pass over the bytes up to the first picture NAL unit (usually after the access unit delimiter and
/// parameter sets: a few hundred bytes), at most <see cref="MaxScanLength"/> bytes per PES; no allocation. One scanner
/// serves one PID, one PES at a time; it is not thread-safe.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// // On each packet, with the programme followed by an MpegTsProgramTracker:
/// MpegTsPacketKind kind = program.Track(bytes, out MpegTsPacket packet);
/// if (scanner.Follow(program, kind, packet))
/// {
///     // The main stream's current PES (the last one a packet started) starts with a keyframe.
/// }
/// </code>
/// </example>
[DebuggerDisplay("IsScanning = {IsScanning}, StreamType = {_streamType}, Scanned = {_scanned}")]
public sealed class MpegTsKeyframeScanner
{
    /// <summary>How many elementary stream bytes of a PES are searched for its first picture: 64 KiB.</summary>
    public const int MaxScanLength = 64 * 1024;

    // The stream type of the PES being scanned.
    private byte _streamType;

    // Whether a scan is in progress (Start called, no answer yet).
    private bool _scanning;

    // Elementary stream bytes scanned so far in this PES.
    private int _scanned;

    // Zero bytes seen in a row (a start code is 00 00 01).
    private int _zeros;

    // Whether the next byte is a NAL unit header (the previous bytes were a start code).
    private bool _atNalHeader;

    /// <summary>Creates a scanner, not scanning.</summary>
    public MpegTsKeyframeScanner()
    {
    }

    /// <summary>Whether a scan is in progress: <see cref="Start"/> returned <see cref="MpegTsKeyframeScanResult.NeedMoreData"/>.</summary>
    public bool IsScanning => _scanning;

    /// <summary>Whether keyframes of <paramref name="streamType"/> can be found from NAL units: H.264 and HEVC.</summary>
    /// <param name="streamType">A PMT stream_type.</param>
    /// <returns><see langword="true"/> for <see cref="MpegTsStreamTypes.H264"/> and <see cref="MpegTsStreamTypes.Hevc"/>.</returns>
    public static bool CanScan(byte streamType) => streamType is MpegTsStreamTypes.H264 or MpegTsStreamTypes.Hevc;

    /// <summary>Starts scanning a new PES (ending any scan in progress) with its first elementary stream bytes.</summary>
    /// <param name="streamType">The PID's stream type; a type that <see cref="CanScan"/> rejects gives
    /// <see cref="MpegTsKeyframeScanResult.NotKeyframe"/> at once.</param>
    /// <param name="elementaryData">The bytes after the PES header in the packet that starts the PES; not kept.</param>
    /// <returns>Whether the PES starts with a keyframe, or <see cref="MpegTsKeyframeScanResult.NeedMoreData"/> to be
    /// fed the next packet's payload with <see cref="Continue"/>.</returns>
    /// <remarks>O(bytes scanned), no allocation; never throws.</remarks>
    public MpegTsKeyframeScanResult Start(byte streamType, ReadOnlySpan<byte> elementaryData)
    {
        _scanning = CanScan(streamType);
        if (!_scanning)
        {
            return MpegTsKeyframeScanResult.NotKeyframe;
        }

        _streamType = streamType;
        _scanned = 0;
        _zeros = 0;
        _atNalHeader = false;
        return Continue(elementaryData);
    }

    /// <summary>Continues the scan with the next bytes of the same PES (the payload of its next packet).</summary>
    /// <param name="elementaryData">The PES's next bytes; not kept.</param>
    /// <returns>The answer, or <see cref="MpegTsKeyframeScanResult.NeedMoreData"/>; <see cref="MpegTsKeyframeScanResult.NotKeyframe"/>
    /// when no scan is in progress.</returns>
    /// <remarks>O(bytes scanned), no allocation; never throws.</remarks>
    public MpegTsKeyframeScanResult Continue(ReadOnlySpan<byte> elementaryData)
    {
        if (!_scanning)
        {
            return MpegTsKeyframeScanResult.NotKeyframe;
        }

        foreach (byte value in elementaryData)
        {
            if (_atNalHeader)
            {
                _atNalHeader = false;
                _zeros = 0;
                MpegTsKeyframeScanResult picture = ClassifyNalUnit(value);
                if (picture != MpegTsKeyframeScanResult.NeedMoreData)
                {
                    _scanning = false;
                    return picture;
                }

                continue;
            }

            if (value == 0)
            {
                _zeros++;
            }
            else
            {
                _atNalHeader = value == 1 && _zeros >= 2;
                _zeros = 0;
            }
        }

        _scanned += elementaryData.Length;
        if (_scanned > MaxScanLength)
        {
            _scanning = false;
            return MpegTsKeyframeScanResult.NotKeyframe;
        }

        return MpegTsKeyframeScanResult.NeedMoreData;
    }

    /// <summary>
    /// Follows the main stream of <paramref name="program"/> one packet at a time by the library's one keyframe rule, the
    /// rule of <see cref="MpegTsSyncPointDetector"/> and of any index built from a file: a packet of the stream that starts
    /// a PES opens a new access unit, which starts with a keyframe when its adaptation field flags a random access point
    /// (<see cref="MpegTsPacket.RandomAccessIndicator"/>), else when the scan of its elementary stream from the PES header on
    /// finds an IDR or IRAP first picture, in this packet or a later one; a damaged packet or a change of stream
    /// (<see cref="MpegTsProgramTracker.StreamChanged"/>) ends the scan.
    /// </summary>
    /// <param name="program">The tracker that read <paramref name="packet"/>: its stream type and whether the stream changed.</param>
    /// <param name="kind">What <see cref="MpegTsProgramTracker.Track"/> said the packet is; only <see cref="MpegTsPacketKind.Stream"/> packets are followed.</param>
    /// <param name="packet">The packet.</param>
    /// <returns><see langword="true"/> at the packet where the PES the last PES start opened is known to start with a keyframe: once per PES.</returns>
    /// <remarks>O(bytes scanned), no allocation; never throws.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="program"/> is <see langword="null"/>.</exception>
    public bool Follow(MpegTsProgramTracker program, MpegTsPacketKind kind, MpegTsPacket packet)
    {
        ArgumentNullException.ThrowIfNull(program);
        if (program.StreamChanged || kind == MpegTsPacketKind.Damaged)
        {
            Cancel(); // The PES being scanned is lost, or belongs to a stream no longer followed.
        }

        if (kind != MpegTsPacketKind.Stream)
        {
            return false;
        }

        ReadOnlySpan<byte> payload = packet.Payload;
        if (!packet.PayloadUnitStart)
        {
            return _scanning && !payload.IsEmpty && Continue(payload) == MpegTsKeyframeScanResult.Keyframe;
        }

        Cancel();
        if (packet.RandomAccessIndicator)
        {
            return true;
        }

        return MpegTsPesHeader.TryRead(payload, out MpegTsPesHeader header)
            && Start(program.StreamType, payload[Math.Min(header.HeaderLength, payload.Length)..]) == MpegTsKeyframeScanResult.Keyframe;
    }

    /// <summary>Ends any scan in progress (the PES ended, or the stream changed).</summary>
    public void Cancel() => _scanning = false;

    /// <summary>Describes the scanner's state; never throws.</summary>
    /// <returns>A short description.</returns>
    public override string ToString() => $"MpegTsKeyframeScanner IsScanning = {_scanning}, StreamType = 0x{_streamType:X2}, Scanned = {_scanned}";

    /// <summary>A picture NAL unit answers the scan (keyframe or not); any other NAL unit (delimiter, parameter set, SEI) does not.</summary>
    private MpegTsKeyframeScanResult ClassifyNalUnit(byte header)
    {
        if (_streamType == MpegTsStreamTypes.H264)
        {
            int type = header & 0x1F; // 5: IDR slice; 1-4: other slices.
            return type == 5 ? MpegTsKeyframeScanResult.Keyframe : type is >= 1 and <= 4 ? MpegTsKeyframeScanResult.NotKeyframe : MpegTsKeyframeScanResult.NeedMoreData;
        }

        int hevcType = (header >> 1) & 0x3F; // 16-21: IRAP (BLA, IDR, CRA); 0-9: other slices.
        return hevcType is >= 16 and <= 21 ? MpegTsKeyframeScanResult.Keyframe : hevcType <= 9 ? MpegTsKeyframeScanResult.NotKeyframe : MpegTsKeyframeScanResult.NeedMoreData;
    }
}
