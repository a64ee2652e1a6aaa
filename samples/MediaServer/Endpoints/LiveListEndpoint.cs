using System.Buffers;
using System.Text.Json;
using MediaServer.Http;
using MediaServer.Live;

namespace MediaServer.Endpoints;

/// <summary>GET /live : the channels being published, as JSON: <c>[{"name": "live", "bytes": 123, "viewers": 2, …}]</c>.</summary>
internal sealed class LiveListEndpoint(LiveChannelRegistry channels)
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
                writer.WriteString("url", "/live/" + Uri.EscapeDataString(channel.Name));
                writer.WriteString("playlist", HlsEndpoint.PlaylistUrl(channel.Name));
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        return exchange.SendContentAsync(HttpStatus.Ok, "application/json", json.WrittenMemory, static head => head.Add("Cache-Control", "no-cache"));
    }
}
