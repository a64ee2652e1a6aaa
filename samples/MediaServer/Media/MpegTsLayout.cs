namespace MediaServer.Media;

/// <summary>What a transport stream's keyframe index knows of its packets, beyond the keyframes.</summary>
/// <param name="PacketStride">
/// Bytes per packet: 188, or 192 for M2TS (a 4-byte time code before each packet, which HLS's transport stream does not have).
/// </param>
/// <param name="InitializationLength">
/// <see langword="null"/> when every keyframe's offset is the PAT that the muxer repeated (with the PMT) just before it, so
/// that a reader starting there needs no earlier byte; otherwise the bytes from the start of the file through its first PMT
/// packet (RFC 8216's Media Initialization Section of a transport stream: the PAT and PMT), which such a reader needs first.
/// </param>
internal readonly record struct MpegTsLayout(int PacketStride, long? InitializationLength);
