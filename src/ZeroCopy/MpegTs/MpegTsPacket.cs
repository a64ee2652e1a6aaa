namespace ZeroCopy;

/// <summary>
/// A view of one 188-byte MPEG transport stream packet (ISO/IEC 13818-1, 2.4.3): its header fields, its adaptation field
/// and its payload, read in place.
/// </summary>
/// <remarks>
/// <para>
/// <b>Ownership.</b> The packet is a view of the caller's bytes, nothing is copied: every span it returns is a slice of the
/// bytes given to <see cref="TryParse"/>, valid as long as those are.
/// </para>
/// <para>
/// <b>Cost.</b> <see cref="TryParse"/> reads the 4-byte header and the adaptation field's length; every property is O(1),
/// no copy, no allocation. A <see langword="default"/> instance is no packet: use only one that <see cref="TryParse"/>
/// returned.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// for (int offset = 0; offset + MpegTsPacket.Size &lt;= data.Length; offset += MpegTsPacket.Size)
/// {
///     if (MpegTsPacket.TryParse(data.Slice(offset, MpegTsPacket.Size), out MpegTsPacket packet) &amp;&amp; packet.Pid == 0 &amp;&amp; packet.PayloadUnitStart)
///     {
///         MpegTsTables.TryReadPat(packet.Payload, out int pmtPid);
///     }
/// }
/// </code>
/// </example>
public readonly ref struct MpegTsPacket
{
    /// <summary>The size of a transport stream packet: 188 bytes.</summary>
    public const int Size = 188;

    /// <summary>The byte every packet starts with: 0x47.</summary>
    public const byte SyncByte = 0x47;

    /// <summary>The PID of null (stuffing) packets: 0x1FFF.</summary>
    public const int NullPid = 0x1FFF;

    private const int HeaderSize = 4;

    // The packet's 188 bytes.
    private readonly ReadOnlySpan<byte> _bytes;

    // Where the payload starts (Size when there is none).
    private readonly int _payloadOffset;

    private MpegTsPacket(ReadOnlySpan<byte> bytes, int payloadOffset)
    {
        _bytes = bytes;
        _payloadOffset = payloadOffset;
    }

    /// <summary>The packet's 188 bytes, header included.</summary>
    public ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary>The packet identifier (13 bits): 0 for the PAT, <see cref="NullPid"/> for stuffing.</summary>
    public int Pid => ((_bytes[1] & 0x1F) << 8) | _bytes[2];

    /// <summary>Whether the payload starts a PES packet or a PSI section (payload_unit_start_indicator).</summary>
    public bool PayloadUnitStart => (_bytes[1] & 0x40) != 0;

    /// <summary>Whether the transport_error_indicator is set: the packet is known to be damaged.</summary>
    public bool TransportError => (_bytes[1] & 0x80) != 0;

    /// <summary>The 4-bit continuity counter of the packet's PID.</summary>
    public int ContinuityCounter => _bytes[3] & 0x0F;

    /// <summary>Whether the packet carries an adaptation field (adaptation_field_control 10 or 11).</summary>
    public bool HasAdaptationField => (_bytes[3] & 0x20) != 0;

    /// <summary>Whether the packet carries a payload (adaptation_field_control 01 or 11), even an empty one.</summary>
    public bool HasPayload => (_bytes[3] & 0x10) != 0;

    /// <summary>
    /// The adaptation field after its length byte (flags first); empty when there is none or its length is 0.
    /// </summary>
    public ReadOnlySpan<byte> AdaptationField => HasAdaptationField ? _bytes.Slice(HeaderSize + 1, _bytes[HeaderSize]) : default;

    /// <summary>
    /// Whether the adaptation field's random_access_indicator is set: the muxer marks the packet that starts a keyframe
    /// (or, for audio, any frame) with it.
    /// </summary>
    public bool RandomAccessIndicator => HasAdaptationField && _bytes[HeaderSize] > 0 && (_bytes[HeaderSize + 1] & 0x40) != 0;

    /// <summary>The payload: the bytes after the header and the adaptation field; empty when there is none.</summary>
    public ReadOnlySpan<byte> Payload => _bytes[_payloadOffset..];

    /// <summary>
    /// Reads the packet in the first <see cref="Size"/> bytes of <paramref name="bytes"/>. Never throws: bytes that are
    /// not a well-formed packet make it return <see langword="false"/>.
    /// </summary>
    /// <param name="bytes">At least <see cref="Size"/> bytes, the first being the sync byte; bytes after the first
    /// <see cref="Size"/> are ignored. Not copied: the packet is a view of them.</param>
    /// <param name="packet">The packet, when the method returns <see langword="true"/>.</param>
    /// <returns>
    /// <see langword="true"/> when the bytes hold a packet: at least 188 bytes, starting with <see cref="SyncByte"/>, with an
    /// adaptation field (if any) that fits in the packet; otherwise <see langword="false"/>.
    /// </returns>
    /// <remarks>O(1), no copy, no allocation.</remarks>
    public static bool TryParse(ReadOnlySpan<byte> bytes, out MpegTsPacket packet)
    {
        packet = default;
        if (bytes.Length < Size || bytes[0] != SyncByte)
        {
            return false;
        }

        bytes = bytes[..Size];
        int payloadOffset = HeaderSize;
        if ((bytes[3] & 0x20) != 0)
        {
            int adaptationLength = bytes[HeaderSize];
            if (adaptationLength > Size - HeaderSize - 1)
            {
                return false;
            }

            payloadOffset = HeaderSize + 1 + adaptationLength;
        }

        packet = new MpegTsPacket(bytes, (bytes[3] & 0x10) != 0 ? payloadOffset : Size);
        return true;
    }
}
