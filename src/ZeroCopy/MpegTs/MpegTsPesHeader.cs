using System.Diagnostics;

namespace ZeroCopy;

/// <summary>
/// The header of a PES packet (ISO/IEC 13818-1, 2.4.3.6) as it starts a transport stream packet's payload: its stream
/// id, its presentation and decoding time stamps, and where the elementary stream data begins.
/// </summary>
/// <remarks>
/// Time stamps are 33-bit counts of a 90 kHz clock (<see cref="ClockRate"/>) that wrap every 2^33 ticks (about 26.5
/// hours); <see cref="UnwrapTimestamp"/> puts them on a continuous time line. Reading is O(1), no copy, no allocation.
/// </remarks>
[DebuggerDisplay("StreamId = {StreamId}, Pts = {Pts}, Dts = {Dts}, HeaderLength = {HeaderLength}")]
public readonly struct MpegTsPesHeader
{
    /// <summary>The rate of the PTS and DTS clock: 90 000 ticks per second.</summary>
    public const int ClockRate = 90_000;

    /// <summary>The period of a 33-bit time stamp: 2^33 ticks.</summary>
    public const long TimestampWrap = 1L << 33;

    private const int FixedHeaderSize = 6;
    private const int OptionalHeaderStart = 9;

    private MpegTsPesHeader(byte streamId, int headerLength, long? pts, long? dts)
    {
        StreamId = streamId;
        HeaderLength = headerLength;
        Pts = pts;
        Dts = dts;
    }

    /// <summary>The stream_id: 0xE0–0xEF for video, 0xC0–0xDF for MPEG audio, 0xBD for private stream 1.</summary>
    public byte StreamId { get; }

    /// <summary>
    /// The number of bytes from the start code to the first byte of elementary stream data. It can exceed the payload it
    /// was read from when the header continues in the next packet (which muxers avoid).
    /// </summary>
    public int HeaderLength { get; }

    /// <summary>The presentation time stamp (33 bits, 90 kHz), or <see langword="null"/> when the header has none.</summary>
    public long? Pts { get; }

    /// <summary>
    /// The decoding time stamp (33 bits, 90 kHz), or <see langword="null"/> when the header has none (then it equals
    /// <see cref="Pts"/>).
    /// </summary>
    public long? Dts { get; }

    /// <summary>Reads the PES header at the start of <paramref name="payload"/>. Never throws.</summary>
    /// <param name="payload">The payload of a packet whose payload_unit_start_indicator is set (<see cref="MpegTsPacket.Payload"/>).</param>
    /// <param name="header">The header, when the method returns <see langword="true"/>.</param>
    /// <returns>
    /// <see langword="true"/> when the payload starts with a PES start code (00 00 01) and holds the header's fixed part
    /// and the time stamps its flags announce; <see langword="false"/> otherwise (also for the forbidden PTS_DTS_flags 01).
    /// </returns>
    /// <remarks>O(1), no copy, no allocation.</remarks>
    public static bool TryRead(ReadOnlySpan<byte> payload, out MpegTsPesHeader header)
    {
        header = default;
        if (payload.Length < FixedHeaderSize || payload[0] != 0 || payload[1] != 0 || payload[2] != 1)
        {
            return false;
        }

        byte streamId = payload[3];
        if (!HasOptionalHeader(streamId))
        {
            header = new MpegTsPesHeader(streamId, FixedHeaderSize, pts: null, dts: null);
            return true;
        }

        if (payload.Length < OptionalHeaderStart)
        {
            return false;
        }

        int headerDataLength = payload[8];
        int timestamps = payload[7] >> 6; // PTS_DTS_flags: 00 none, 10 PTS, 11 PTS and DTS, 01 forbidden.
        int needed = timestamps switch { 0 => 0, 2 => 5, 3 => 10, _ => -1 };
        if (needed < 0 || headerDataLength < needed || payload.Length < OptionalHeaderStart + needed)
        {
            return false;
        }

        long? pts = needed >= 5 ? ReadTimestamp(payload.Slice(OptionalHeaderStart, 5)) : null;
        long? dts = needed == 10 ? ReadTimestamp(payload.Slice(OptionalHeaderStart + 5, 5)) : null;
        header = new MpegTsPesHeader(streamId, OptionalHeaderStart + headerDataLength, pts, dts);
        return true;
    }

    /// <summary>
    /// Puts a 33-bit time stamp on the same continuous time line as <paramref name="reference"/>: the value congruent to
    /// <paramref name="timestamp"/> modulo 2^33 that is nearest to <paramref name="reference"/>.
    /// </summary>
    /// <param name="timestamp">A 33-bit time stamp as read.</param>
    /// <param name="reference">A time stamp already on the time line (an earlier one, unwrapped), possibly beyond 2^33.</param>
    /// <returns>The unwrapped time stamp, within half a period (about 13 hours) of <paramref name="reference"/>.</returns>
    /// <remarks>O(1).</remarks>
    public static long UnwrapTimestamp(long timestamp, long reference)
    {
        long delta = (timestamp - reference) % TimestampWrap;
        delta = delta >= TimestampWrap / 2 ? delta - TimestampWrap : delta < -TimestampWrap / 2 ? delta + TimestampWrap : delta;
        return reference + delta;
    }

    /// <summary>Converts a time stamp of the 90 kHz clock (unwrapped or not) to a <see cref="TimeSpan"/>.</summary>
    /// <param name="timestamp">Ticks of the 90 kHz clock; not negative.</param>
    /// <returns>The time, truncated to whole 100 ns ticks (a 90 kHz tick is 111.1 of them).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timestamp"/> is negative.</exception>
    /// <remarks>O(1).</remarks>
    public static TimeSpan ToTimeSpan(long timestamp)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(timestamp);
        return TimeSpan.FromTicks(timestamp / ClockRate * TimeSpan.TicksPerSecond + (timestamp % ClockRate * TimeSpan.TicksPerSecond / ClockRate));
    }

    /// <summary>Describes the header; never throws.</summary>
    /// <returns>A short description.</returns>
    public override string ToString() => $"MpegTsPesHeader StreamId = 0x{StreamId:X2}, Pts = {Pts}, Dts = {Dts}, HeaderLength = {HeaderLength}";

    // Streams whose PES packets carry no optional header (ISO/IEC 13818-1, 2.4.3.7): program_stream_map, padding,
    // private_stream_2, ECM, EMM, program_stream_directory, DSMCC and H.222.1 type E.
    private static bool HasOptionalHeader(byte streamId) =>
        streamId is not (0xBC or 0xBE or 0xBF or 0xF0 or 0xF1 or 0xF2 or 0xF8 or 0xFF);

    private static long ReadTimestamp(ReadOnlySpan<byte> b) =>
        ((long)(b[0] & 0x0E) << 29) | ((long)b[1] << 22) | ((long)(b[2] & 0xFE) << 14) | ((long)b[3] << 7) | ((long)b[4] >> 1);
}
