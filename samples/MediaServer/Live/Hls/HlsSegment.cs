using System.Diagnostics;

namespace MediaServer.Live.Hls;

/// <summary>
/// One HLS media segment of a channel: a ring range that starts at a keyframe sync point (its PAT and PMT first, or its
/// preamble) and ends at the next segment's keyframe. Its parts, when it was cut live, tile it exactly. Changed only by
/// the segmenter under its lock; read by playlist and media requests under the same lock.
/// </summary>
[DebuggerDisplay("#{Msn}: [{Start}, {End}), {Duration} s, {Parts.Count} parts")]
internal sealed class HlsSegment(long msn, long start, ReadOnlyMemory<byte> preamble, TimeSpan? startTime, DateTimeOffset programDateTime, bool hasParts)
{
    /// <summary>The media sequence number.</summary>
    public long Msn { get; } = msn;

    /// <summary>The ring position of the keyframe sync point it starts at.</summary>
    public long Start { get; } = start;

    /// <summary>The sync point's preamble (PAT and PMT copies) when the stream did not repeat them there; sent first.</summary>
    public ReadOnlyMemory<byte> Preamble { get; } = preamble;

    /// <summary>The keyframe's presentation time, when the stream has one.</summary>
    public TimeSpan? StartTime { get; } = startTime;

    /// <summary>When its first byte was published, on the server's clock (<c>EXT-X-PROGRAM-DATE-TIME</c>).</summary>
    public DateTimeOffset ProgramDateTime { get; } = programDateTime;

    /// <summary>
    /// Whether it is cut into parts: segments the segmenter found complete in the ring's history are not; the one open
    /// when it started becomes so (<see cref="HlsSegmenter"/>).
    /// </summary>
    public bool HasParts { get; set; } = hasParts;

    /// <summary>Its parts so far; complete when the segment is.</summary>
    public List<HlsPart> Parts { get; } = [];

    /// <summary>The ring position it ends at, or -1 while it is open.</summary>
    public long End { get; set; } = -1;

    /// <summary>Its duration in seconds, once complete.</summary>
    public double Duration { get; set; }

    public bool IsComplete => End >= 0;

    /// <summary>The segment's body length: its ring range plus its preamble.</summary>
    public long BodyLength => End - Start + Preamble.Length;
}
