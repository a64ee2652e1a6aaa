namespace MediaServer.Live.Hls;

/// <summary>
/// A Low-Latency HLS partial segment: the ring range <c>[Start, Start + Length)</c> of the channel's stream, about
/// <see cref="HlsOptions.PartInterval"/> of it. <see cref="Independent"/> when it starts at a keyframe (with its tables).
/// </summary>
internal readonly record struct HlsPart(long Start, long Length, double Duration, bool Independent);
