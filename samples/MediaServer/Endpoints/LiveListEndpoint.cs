using System.Buffers;
using System.Text.Json;
using MediaServer.Http;
using MediaServer.Live;
using MediaServer.Live.Hls;

namespace MediaServer.Endpoints;

/// <summary>
/// GET /live : the channels being published, as JSON: <c>[{"name": "live", "bytes": 123, "viewers": 2, …}]</c>, with
/// each channel's HLS window as it really is: <c>window</c>, the seconds its complete segments last, and <c>bitrate</c>,
/// the bits per second measured over them (both 0 until the first segment completes); an SRT publisher's channel adds
/// <c>link</c>, its link's round trip, loss and retransmissions (<see cref="Srt.SrtLinkStatistics"/>). Listing a channel starts its
/// segmenter, as its first playlist request would.
/// </summary>
internal sealed class LiveListEndpoint(LiveChannelRegistry channels, HlsChannels hls)
{
    public ValueTask HandleAsync(HttpExchange exchange)
    {
        var json = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartArray();
            foreach (LiveChannel channel in channels.Snapshot())
            {
                writer.WriteStartObject();
                writer.WriteString("name", channel.Name);
                writer.WriteNumber("bytes", channel.BytesReceived);
                writer.WriteNumber("viewers", channel.ViewerCount);
                writer.WriteString("transport", channel.Transport);
                writer.WriteString("publisher", channel.Publisher);
                writer.WriteString("since", channel.Started);
                writer.WriteString("url", Routes.Channel.Path(channel.Name));
                writer.WriteString("playlist", Routes.ChannelPlaylist.Path(channel.Name));
                (TimeSpan window, long windowBytes) = hls.GetOrStart(channel).MeasureWindow();
                writer.WriteNumber("window", Math.Round(window.TotalSeconds, 3));
                writer.WriteNumber("bitrate", window > TimeSpan.Zero ? (long)(windowBytes * 8 / window.TotalSeconds) : 0);
                if (channel.LinkStatistics is { } link)
                {
                    WriteLink(writer, link());
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        return exchange.SendContentAsync(HttpStatus.Ok, "application/json", json.WrittenMemory, static head => head.Add("Cache-Control", "no-cache"));
    }

    /// <summary>The publisher's SRT link as libsrt measures it: <c>"link": {"rtt_ms": 0.4, "packets_lost": 0, …}</c>.</summary>
    private static void WriteLink(Utf8JsonWriter writer, Srt.SrtLinkStatistics link)
    {
        writer.WriteStartObject("link");
        writer.WriteNumber("rtt_ms", Math.Round(link.RoundTripMs, 3));
        writer.WriteNumber("receive_mbps", Math.Round(link.ReceiveRateMbps, 3));
        writer.WriteNumber("packets_received", link.PacketsReceived);
        writer.WriteNumber("packets_lost", link.PacketsLost);
        writer.WriteNumber("packets_retransmitted", link.PacketsRetransmitted);
        writer.WriteNumber("packets_dropped", link.PacketsDropped);
        writer.WriteNumber("bytes_received", link.BytesReceived);
        writer.WriteEndObject();
    }
}
