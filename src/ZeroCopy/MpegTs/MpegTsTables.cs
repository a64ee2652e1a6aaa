using System.Buffers.Binary;

namespace ZeroCopy;

/// <summary>
/// Reads the program-specific information of a transport stream (ISO/IEC 13818-1, 2.4.4): PSI sections with their
/// CRC, the programme association table (PAT) and the programme map table (PMT).
/// </summary>
/// <remarks>
/// <para>
/// <b>Scope.</b> A section is read from the payload of the packet that starts it (payload_unit_start_indicator set): after
/// the pointer field, it must end within that payload. PATs and PMTs fit in one packet in practice; a section spread over
/// several packets is not read.
/// </para>
/// <para>
/// <b>CRC.</b> Every section is checked against its CRC_32 (<see cref="ComputeCrc32"/>); one that fails is rejected, as a
/// decoder does, so a damaged table never redirects a reader to the wrong PID.
/// </para>
/// <para>
/// <b>Cost.</b> O(section length): one CRC pass over at most 183 bytes; no copy, no allocation. Every method returns
/// <see langword="false"/> on malformed input and never throws.
/// </para>
/// </remarks>
public static class MpegTsTables
{
    /// <summary>The table_id of a programme association section: 0x00.</summary>
    public const byte PatTableId = 0x00;

    /// <summary>The table_id of a programme map section: 0x02.</summary>
    public const byte PmtTableId = 0x02;

    private const int CrcSize = 4;
    private const int PatHeaderSize = 8;
    private const int PmtHeaderSize = 12;

    /// <summary>
    /// Computes the CRC-32/MPEG-2 of <paramref name="data"/>: polynomial 0x04C11DB7, initial value 0xFFFFFFFF, no reflection,
    /// no final XOR — the CRC_32 that ends every PSI section. Over a whole section, CRC included, it is 0.
    /// </summary>
    /// <param name="data">The bytes, for a section from its table_id up to (not including) its CRC_32.</param>
    /// <returns>The CRC, to be written big-endian after the section.</returns>
    /// <remarks>O(length), bitwise (eight shifts per byte; PSI sections are short); no allocation.</remarks>
    public static uint ComputeCrc32(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte value in data)
        {
            crc ^= (uint)value << 24;
            for (int bit = 0; bit < 8; bit++)
            {
                crc = (crc & 0x80000000) != 0 ? (crc << 1) ^ 0x04C11DB7 : crc << 1;
            }
        }

        return crc;
    }

    /// <summary>
    /// Finds the PSI section that starts in <paramref name="payload"/> (after its pointer field), checks its table_id and
    /// its CRC, and returns it without the CRC.
    /// </summary>
    /// <param name="payload">The payload of a packet whose payload_unit_start_indicator is set (<see cref="MpegTsPacket.Payload"/>).</param>
    /// <param name="tableId">The table_id expected.</param>
    /// <param name="section">The section from its table_id up to (not including) its CRC_32, a slice of
    /// <paramref name="payload"/>, when the method returns <see langword="true"/>.</param>
    /// <returns>
    /// <see langword="true"/> when a section with that table_id starts there, ends within the payload and its CRC matches;
    /// otherwise <see langword="false"/>.
    /// </returns>
    /// <remarks>O(section length), no copy, no allocation; never throws.</remarks>
    public static bool TryReadSection(ReadOnlySpan<byte> payload, byte tableId, out ReadOnlySpan<byte> section)
    {
        section = default;
        if (payload.IsEmpty)
        {
            return false;
        }

        int start = 1 + payload[0];
        if (start + 3 > payload.Length || payload[start] != tableId)
        {
            return false;
        }

        int length = 3 + (((payload[start + 1] & 0x0F) << 8) | payload[start + 2]);
        if (length < 3 + CrcSize || length > payload.Length - start)
        {
            return false;
        }

        ReadOnlySpan<byte> whole = payload.Slice(start, length);
        if (ComputeCrc32(whole[..^CrcSize]) != BinaryPrimitives.ReadUInt32BigEndian(whole[^CrcSize..]))
        {
            return false;
        }

        section = whole[..^CrcSize];
        return true;
    }

    /// <summary>Reads a PAT and returns the PMT PID of its first programme (the first entry whose program_number is not 0).</summary>
    /// <param name="payload">The payload of a packet on PID 0 whose payload_unit_start_indicator is set.</param>
    /// <param name="pmtPid">The PID of the first programme's PMT, when the method returns <see langword="true"/>.</param>
    /// <returns><see langword="true"/> when the payload holds a valid PAT (see <see cref="TryReadSection"/>) that names a programme.</returns>
    /// <remarks>O(section length), no allocation; never throws.</remarks>
    public static bool TryReadPat(ReadOnlySpan<byte> payload, out int pmtPid)
    {
        pmtPid = -1;
        return TryReadSection(payload, PatTableId, out ReadOnlySpan<byte> section) && TryReadPatSection(section, out pmtPid);
    }

    /// <summary>Reads the version_number and current_next_indicator that every PAT and PMT section carries.</summary>
    /// <param name="section">A section that <see cref="TryReadSection"/> returned.</param>
    /// <param name="version">The 5-bit version_number.</param>
    /// <param name="current">Whether the section applies now (current_next_indicator 1) rather than next.</param>
    /// <returns><see langword="false"/> when the section is too short to have that header.</returns>
    internal static bool TryReadVersion(ReadOnlySpan<byte> section, out int version, out bool current)
    {
        version = -1;
        current = false;
        if (section.Length < PatHeaderSize)
        {
            return false;
        }

        version = (section[5] >> 1) & 0x1F;
        current = (section[5] & 0x01) != 0;
        return true;
    }

    /// <summary>The PMT PID of a PAT section's first programme (see <see cref="TryReadPat"/>).</summary>
    internal static bool TryReadPatSection(ReadOnlySpan<byte> section, out int pmtPid)
    {
        pmtPid = -1;
        if (section.Length < PatHeaderSize)
        {
            return false;
        }

        for (int i = PatHeaderSize; i + 4 <= section.Length; i += 4)
        {
            int program = (section[i] << 8) | section[i + 1];
            if (program != 0)
            {
                pmtPid = ((section[i + 2] & 0x1F) << 8) | section[i + 3];
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Reads a PMT and returns its programme's main stream: the first video stream (<see cref="MpegTsStreamTypes.IsVideo"/>),
    /// or, when the programme has no video, its first stream.
    /// </summary>
    /// <param name="payload">The payload of a packet on the PMT's PID whose payload_unit_start_indicator is set.</param>
    /// <param name="pid">The elementary PID of that stream, when the method returns <see langword="true"/>.</param>
    /// <param name="streamType">Its stream_type, when the method returns <see langword="true"/>; test it with
    /// <see cref="MpegTsStreamTypes.IsVideo"/> to tell whether the programme has video.</param>
    /// <returns><see langword="true"/> when the payload holds a valid PMT (see <see cref="TryReadSection"/>) that lists a stream.</returns>
    /// <remarks>O(section length), no allocation; never throws.</remarks>
    public static bool TryReadPmt(ReadOnlySpan<byte> payload, out int pid, out byte streamType)
    {
        pid = -1;
        streamType = 0;
        return TryReadSection(payload, PmtTableId, out ReadOnlySpan<byte> section) && TryReadPmtSection(section, out pid, out streamType);
    }

    /// <summary>The main stream of a PMT section (see <see cref="TryReadPmt"/>).</summary>
    internal static bool TryReadPmtSection(ReadOnlySpan<byte> section, out int pid, out byte streamType)
    {
        pid = -1;
        streamType = 0;
        if (section.Length < PmtHeaderSize)
        {
            return false;
        }

        int i = PmtHeaderSize + (((section[10] & 0x0F) << 8) | section[11]);
        while (i + 5 <= section.Length)
        {
            byte type = section[i];
            int elementaryPid = ((section[i + 1] & 0x1F) << 8) | section[i + 2];
            if (MpegTsStreamTypes.IsVideo(type) || pid < 0)
            {
                pid = elementaryPid;
                streamType = type;
                if (MpegTsStreamTypes.IsVideo(type))
                {
                    return true;
                }
            }

            i += 5 + (((section[i + 3] & 0x0F) << 8) | section[i + 4]);
        }

        return pid >= 0;
    }
}
