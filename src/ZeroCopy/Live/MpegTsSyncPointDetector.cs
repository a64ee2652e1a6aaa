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
/// TS-over-TCP/UDP ingest does). Readers only see whole packets, and every reader position is a multiple of 188. A packet
/// whose first byte is not the sync byte 0x47 is ignored.
/// </para>
/// <para>
/// <b>Keyframes.</b> On the PMT's first video stream (or, without video, its first stream), a packet that starts a PES
/// (payload_unit_start_indicator) is a keyframe when its adaptation field sets random_access_indicator, or, for H.264
/// (stream type 0x1B) and HEVC (0x24), when the PES's first video NAL units (searched across packets, up to 64 KiB)
/// include an IDR/IRAP picture before any other slice. Other codecs (MPEG-2 video, for example) rely on the indicator.
/// </para>
/// <para>
/// <b>PAT and PMT.</b> The detector keeps a copy of the latest PAT (PID 0) and of the latest PMT (the PID the PAT names
/// for its first programme); each must fit in one packet, as they do in practice. The sync point is then placed:
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
/// <b>Cost.</b> O(bytes) on the writer's thread: header parsing per packet, a byte scan only over the first NAL units of
/// video PES packets while looking for a keyframe; no allocation except a new preamble when the tables change.
/// </para>
/// </remarks>
[DebuggerDisplay("PmtPid = {_pmtPid}, KeyPid = {_keyPid}, LastSyncPoint = {_lastReported}")]
public sealed class MpegTsSyncPointDetector : ISyncPointDetector
{
    /// <summary>The size of a transport stream packet: 188 bytes.</summary>
    public const int PacketSize = 188;

    private const byte SyncByte = 0x47;
    private const int NullPid = 0x1FFF;
    private const int MaxScanBytes = 64 * 1024;

    private readonly byte[] _carry = new byte[PacketSize];
    private readonly byte[] _pat = new byte[PacketSize];
    private readonly byte[] _pmt = new byte[PacketSize];
    private int _carryLength;
    private bool _hasPat;
    private bool _hasPmt;
    private long _patPosition = -1;
    private long _pmtPosition = -1;
    private int _pmtPid = -1;
    private int _keyPid = -1;
    private KeyframeSource _keySource;
    private bool _onlyTablesSincePat;
    private ReadOnlyMemory<byte> _preamble;
    private bool _preambleStale = true;
    private long _lastReported = -1;

    // The search for a keyframe in the key PID's current PES.
    private bool _searching;
    private long _candidate;
    private bool _candidateNeedsPreamble;
    private int _scanned;
    private int _zeros;
    private bool _atNalHeader;

    /// <summary>Creates a detector for one transport stream (one per <see cref="LiveCache"/>).</summary>
    public MpegTsSyncPointDetector()
    {
    }

    private enum KeyframeSource
    {
        RandomAccessIndicator,
        H264,
        Hevc,
    }

    private enum NalKind
    {
        Other,
        Keyframe,
        Slice,
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
        $"MpegTsSyncPointDetector PmtPid = {_pmtPid}, KeyPid = {_keyPid}, LastSyncPoint = {_lastReported}";

    private bool ProcessPacket(ReadOnlySpan<byte> packet, long position, ref SyncPoint syncPoint)
    {
        if (packet[0] != SyncByte)
        {
            _onlyTablesSincePat = false;
            _searching = false;
            return false;
        }

        int pid = ((packet[1] & 0x1F) << 8) | packet[2];
        bool unitStart = (packet[1] & 0x40) != 0;
        int control = (packet[3] >> 4) & 0x3;
        int payloadStart = 4;
        bool randomAccess = false;
        if ((control & 0x2) != 0)
        {
            int adaptationLength = packet[4];
            randomAccess = adaptationLength > 0 && (packet[5] & 0x40) != 0;
            payloadStart = 5 + adaptationLength;
        }

        ReadOnlySpan<byte> payload = (control & 0x1) != 0 && payloadStart < PacketSize ? packet[payloadStart..] : default;
        if (pid == 0)
        {
            if (unitStart && TryParsePat(payload, out int pmtPid))
            {
                StoreTable(_pat, packet);
                _hasPat = true;
                _patPosition = position;
                _onlyTablesSincePat = true;
                if (pmtPid != _pmtPid)
                {
                    _pmtPid = pmtPid;
                    _hasPmt = false;
                    _keyPid = -1;
                    _searching = false;
                }
            }

            return false;
        }

        if (pid == _pmtPid)
        {
            if (unitStart && TryParsePmt(payload, out int keyPid, out KeyframeSource source))
            {
                StoreTable(_pmt, packet);
                _hasPmt = true;
                _pmtPosition = position;
                _searching &= keyPid == _keyPid;
                _keyPid = keyPid;
                _keySource = source;
            }

            return false;
        }

        if (pid < 0x20 || pid == NullPid)
        {
            return false; // Other tables (CAT, NIT, SDT, EIT, ...) and stuffing keep "only tables since the PAT".
        }

        bool reported = false;
        if (pid == _keyPid)
        {
            if (unitStart)
            {
                _searching = false;
                if (_hasPat && _hasPmt)
                {
                    // Where a reader starting with this PES starts: at the PAT when the PAT and PMT directly precede it
                    // (no copy), otherwise at this packet with the tables as a preamble.
                    bool atTables = _onlyTablesSincePat && _pmtPosition > _patPosition;
                    _candidate = atTables ? _patPosition : position;
                    _candidateNeedsPreamble = !atTables;
                    if (randomAccess)
                    {
                        reported = Report(ref syncPoint);
                    }
                    else if (_keySource != KeyframeSource.RandomAccessIndicator && TryGetElementaryData(payload, out ReadOnlySpan<byte> elementary))
                    {
                        _searching = true;
                        _scanned = 0;
                        _zeros = 0;
                        _atNalHeader = false;
                        reported = Scan(elementary, ref syncPoint);
                    }
                }
            }
            else if (_searching && !payload.IsEmpty)
            {
                reported = Scan(payload, ref syncPoint);
            }
        }

        _onlyTablesSincePat = false;
        return reported;
    }

    /// <summary>Looks for the first picture NAL unit of the PES: a keyframe reports the candidate, any other slice ends the search.</summary>
    private bool Scan(ReadOnlySpan<byte> elementary, ref SyncPoint syncPoint)
    {
        foreach (byte value in elementary)
        {
            if (_atNalHeader)
            {
                _atNalHeader = false;
                _zeros = 0;
                NalKind kind = Classify(value);
                if (kind != NalKind.Other)
                {
                    _searching = false;
                    return kind == NalKind.Keyframe && Report(ref syncPoint);
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

        _scanned += elementary.Length;
        if (_scanned > MaxScanBytes)
        {
            _searching = false;
        }

        return false;
    }

    private NalKind Classify(byte header)
    {
        if (_keySource == KeyframeSource.H264)
        {
            int type = header & 0x1F;
            return type == 5 ? NalKind.Keyframe : type is >= 1 and <= 4 ? NalKind.Slice : NalKind.Other;
        }

        int hevcType = (header >> 1) & 0x3F;
        return hevcType is >= 16 and <= 21 ? NalKind.Keyframe : hevcType <= 9 ? NalKind.Slice : NalKind.Other;
    }

    private bool Report(ref SyncPoint syncPoint)
    {
        if (_candidate <= _lastReported)
        {
            return false;
        }

        _lastReported = _candidate;
        syncPoint = new SyncPoint(_candidate, _candidateNeedsPreamble ? GetPreamble() : default);
        return true;
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

    private static bool TryParsePat(ReadOnlySpan<byte> payload, out int pmtPid)
    {
        pmtPid = -1;
        if (!TryGetSection(payload, tableId: 0x00, minimumLength: 8, out ReadOnlySpan<byte> section))
        {
            return false;
        }

        for (int i = 8; i + 4 <= section.Length; i += 4)
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

    private static bool TryParsePmt(ReadOnlySpan<byte> payload, out int keyPid, out KeyframeSource source)
    {
        keyPid = -1;
        source = KeyframeSource.RandomAccessIndicator;
        if (!TryGetSection(payload, tableId: 0x02, minimumLength: 12, out ReadOnlySpan<byte> section))
        {
            return false;
        }

        int firstPid = -1;
        int i = 12 + (((section[10] & 0x0F) << 8) | section[11]);
        while (i + 5 <= section.Length)
        {
            int streamType = section[i];
            int pid = ((section[i + 1] & 0x1F) << 8) | section[i + 2];
            int infoLength = ((section[i + 3] & 0x0F) << 8) | section[i + 4];
            switch (streamType)
            {
                case 0x1B:
                    keyPid = pid;
                    source = KeyframeSource.H264;
                    return true;
                case 0x24:
                    keyPid = pid;
                    source = KeyframeSource.Hevc;
                    return true;
                case 0x01 or 0x02 or 0x10 or 0x33 or 0x42 or 0xD1 or 0xEA:
                    keyPid = pid;
                    return true;
            }

            if (firstPid < 0)
            {
                firstPid = pid;
            }

            i += 5 + infoLength;
        }

        keyPid = firstPid;
        return firstPid >= 0;
    }

    /// <summary>The section that starts in this payload (after its pointer field), without its CRC, if it is whole.</summary>
    private static bool TryGetSection(ReadOnlySpan<byte> payload, byte tableId, int minimumLength, out ReadOnlySpan<byte> section)
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

        int sectionLength = ((payload[start + 1] & 0x0F) << 8) | payload[start + 2];
        int end = start + 3 + sectionLength - 4;
        if (sectionLength < minimumLength - 3 + 4 || end > payload.Length)
        {
            return false;
        }

        section = payload[start..end];
        return true;
    }

    /// <summary>The elementary stream bytes of a PES packet's first TS packet, after the PES header.</summary>
    private static bool TryGetElementaryData(ReadOnlySpan<byte> payload, out ReadOnlySpan<byte> elementary)
    {
        elementary = default;
        if (payload.Length < 9 || payload[0] != 0 || payload[1] != 0 || payload[2] != 1)
        {
            return false;
        }

        elementary = payload[Math.Min(9 + payload[8], payload.Length)..];
        return true;
    }
}
