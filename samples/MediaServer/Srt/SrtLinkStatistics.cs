namespace MediaServer.Srt;

/// <summary>What libsrt measured of one SRT link since it opened (<c>srt_bstats</c>), as <c>GET /live</c> reports it.</summary>
/// <param name="RoundTripMs">The smoothed round-trip time, milliseconds.</param>
/// <param name="ReceiveRateMbps">The receive rate over the last second, Mbit/s.</param>
/// <param name="PacketsReceived">Data packets received, retransmissions included.</param>
/// <param name="PacketsLost">Packets found missing (each then asked for again: most come back as retransmissions).</param>
/// <param name="PacketsRetransmitted">Retransmitted packets received.</param>
/// <param name="PacketsDropped">Packets never recovered in time and skipped: what a viewer would see as a gap.</param>
/// <param name="BytesReceived">Payload bytes received, retransmissions included.</param>
internal readonly record struct SrtLinkStatistics(double RoundTripMs, double ReceiveRateMbps, long PacketsReceived, int PacketsLost, int PacketsRetransmitted, int PacketsDropped, long BytesReceived);
