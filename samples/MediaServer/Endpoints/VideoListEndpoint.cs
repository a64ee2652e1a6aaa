using System.Buffers;
using System.Text.Json;
using MediaServer.Http;
using MediaServer.Media;

namespace MediaServer.Endpoints;

/// <summary>GET /videos : the library as a JSON array: <c>[{"name": "clip.mp4", "size": 1234, "duration": 60.0, …, "url": …, "playlist": null}]</c>; <c>playlist</c> is the HLS playlist's URL of an indexed MPEG-TS video.</summary>
internal sealed class VideoListEndpoint(MediaLibrary library)
{
    public ValueTask HandleAsync(HttpExchange exchange)
    {
        var json = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartArray();
            foreach (Video video in library.Videos)
            {
                writer.WriteStartObject();
                writer.WriteString("name", video.Name);
                writer.WriteNumber("size", video.Size);
                if (video.Index is { } index)
                {
                    writer.WriteNumber("duration", Math.Round(index.DurationSeconds, 3));
                    writer.WriteNumber("frameRate", Math.Round(index.FrameRate, 3));
                    writer.WriteNumber("keyframes", index.Count);
                }
                else
                {
                    writer.WriteNull("duration");
                }

                writer.WriteString("contentType", video.ContentType);
                writer.WriteString("url", Routes.Video.Path(video.Name));
                if (video.Playlist is not null)
                {
                    writer.WriteString("playlist", Routes.VideoPlaylist.Path(video.Name));
                }
                else
                {
                    writer.WriteNull("playlist");
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        return exchange.SendContentAsync(HttpStatus.Ok, "application/json", json.WrittenMemory, static head => head.Add("Cache-Control", "no-cache"));
    }
}
