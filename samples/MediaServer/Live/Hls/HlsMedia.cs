namespace MediaServer.Live.Hls;

/// <summary>What a segment or part URI maps to now: a ring range (with a preamble to send first), or why not.</summary>
internal readonly record struct HlsMedia(HlsMediaStatus Status, long Start, long Length, ReadOnlyMemory<byte> Preamble)
{
    public static HlsMedia Of(HlsMediaStatus status) => new(status, 0, 0, default);
}

/// <summary>Whether a segment or part can be sent.</summary>
internal enum HlsMediaStatus
{
    /// <summary>It is complete and its range is in the ring: send it.</summary>
    Ready,

    /// <summary>It is the next one the segmenter will publish (a preload hint, or the open segment): wait for it.</summary>
    Pending,

    /// <summary>It was in the window and the ring has reclaimed it: 410.</summary>
    Gone,

    /// <summary>It never existed, or is too far ahead: 404.</summary>
    NotFound,
}
