namespace ZeroCopy;

/// <summary>What a packet is to the programme an <see cref="MpegTsProgramTracker"/> follows.</summary>
public enum MpegTsPacketKind
{
    /// <summary>
    /// Bytes the tracker cannot trust: not a packet (no sync byte 0x47, or an adaptation field that overruns the packet:
    /// lost sync), or a packet whose transport_error_indicator says it is damaged. Whatever spans packets (a PES being
    /// scanned) ends here; the tables in force stay.
    /// </summary>
    Damaged = 0,

    /// <summary>A PAT (PID 0) with a valid, current section that names a programme: now the PAT in force.</summary>
    Pat = 1,

    /// <summary>A PMT on the PID the PAT names, with a valid, current section that lists a stream: now the PMT in force.</summary>
    Pmt = 2,

    /// <summary>
    /// Any other packet on a table PID: PIDs 0x00 to 0x1F (CAT, NIT, SDT, EIT, …) and the PMT's PID when the packet
    /// carries no table the tracker applies (a repetition whose CRC fails, a section continued from the previous packet,
    /// a table marked as the next one). It changes nothing.
    /// </summary>
    Table = 3,

    /// <summary>A null (stuffing) packet, PID <see cref="MpegTsPacket.NullPid"/>.</summary>
    Stuffing = 4,

    /// <summary>A packet of the programme's main stream (<see cref="MpegTsProgramTracker.StreamPid"/>).</summary>
    Stream = 5,

    /// <summary>A packet of any other PID: the programme's other streams (audio, subtitles, data), other programmes.</summary>
    OtherStream = 6,
}
