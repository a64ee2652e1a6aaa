using System.Net;
using MediaServer.Tests.Infrastructure;

namespace MediaServer.Tests.Edge;

/// <summary>
/// Live Low-Latency HLS through nginx edges (deploy/edge): an encoder publishes through one edge and lands on the
/// channel's home origin, ffmpeg decodes the channel through the other, and many viewers waiting for the next part
/// cost the origin one request per edge.
/// </summary>
public sealed class EdgeLiveTests(EdgeCluster cluster) : IClassFixture<EdgeCluster>, IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    public void Dispose() => cluster.AssertNoFaults();

    [Fact]
    public async Task FfmpegDecodesAChannelPublishedThroughOneEdgeAndWatchedThroughTheOther()
    {
        (RunningTool publisher, int home) = await cluster.PublishThroughAsync(cluster.Edges[0], "edge-ffmpeg", seconds: 14);
        using (publisher)
        {
            using var client = new HttpClient();
            Uri playlist = HlsHelpers.Playlist(cluster.Edges[1], "edge-ffmpeg");
            await HlsHelpers.WaitForPreloadHintAsync(client, playlist);
            using HttpResponseMessage reload = await client.GetAsync(playlist);
            Assert.Equal(home, cluster.OriginIndexOf(reload.Headers.GetValues("X-Origin").Single()));

            ToolResult viewer = await ExternalTool.RunAsync("ffmpeg", ["-hide_banner", "-nostdin", "-i", playlist.ToString(), "-t", "4", "-f", "null", "-"], s_timeout);

            viewer.AssertClean();
            Assert.Contains("Video: h264", viewer.StandardError, StringComparison.Ordinal);
            Assert.Contains("Audio: aac", viewer.StandardError, StringComparison.Ordinal);
            Assert.True(LiveHelpers.FramesDecoded(viewer) >= 90, $"decoded {LiveHelpers.FramesDecoded(viewer)} frames:\n{viewer.StandardError}");
            ToolResult probe = await ExternalTool.RunAsync("ffprobe", ["-v", "error", "-show_entries", "stream=codec_name", "-of", "csv=p=0", playlist.ToString()], s_timeout);
            Assert.Contains("h264", probe.StandardOutput, StringComparison.Ordinal);
            (await publisher.WaitAsync(s_timeout)).AssertClean();
        }
    }

    [Fact]
    public async Task ViewersWaitingForTheNextPartCostTheOriginOneRequestPerEdge()
    {
        (RunningTool publisher, _) = await cluster.PublishThroughAsync(cluster.Edges[0], "edge-fanout", seconds: 12);
        using (publisher)
        {
            using var client = new HttpClient();
            (_, string hint, long msn, int part) = await HlsHelpers.WaitForPreloadHintAsync(client, HlsHelpers.Playlist(cluster.Edges[0], "edge-fanout"));
            string blocking = $"/live/edge-fanout/index.m3u8?_HLS_msn={msn}&_HLS_part={part}";

            // 30 viewers per edge ask for the playlist that lists the hinted part and for the part itself, before it is cut.
            Task<HttpResponseMessage>[] playlists = [.. Enumerable.Range(0, 60).Select(i => client.GetAsync(new Uri(cluster.Edges[i % 2], blocking)))];
            Task<byte[]>[] parts = [.. Enumerable.Range(0, 60).Select(i => client.GetByteArrayAsync(new Uri(cluster.Edges[i % 2], $"live/edge-fanout/{hint}")))];
            HttpResponseMessage[] answered = await Task.WhenAll(playlists).WaitAsync(s_timeout);
            byte[][] bodies = await Task.WhenAll(parts).WaitAsync(s_timeout);

            Assert.All(answered, response => Assert.Equal(HttpStatusCode.OK, response.StatusCode));
            string[] texts = await Task.WhenAll(answered.Select(response => response.Content.ReadAsStringAsync()));
            Assert.All(texts, text => Assert.Contains(hint, text, StringComparison.Ordinal));
            Assert.All(answered, response => Assert.Equal("public, max-age=12", response.Headers.CacheControl?.ToString()));
            Assert.All(bodies, body => Assert.Equal(bodies[0], body));
            Assert.True(bodies[0].Length > 0 && bodies[0][0] == 0x47, "a part starts with an MPEG-TS sync byte");
            foreach (HttpResponseMessage response in answered)
            {
                response.Dispose();
            }

            Assert.InRange(cluster.OriginRequests(blocking + " "), 1, 2);
            Assert.InRange(cluster.OriginRequests($"/live/edge-fanout/{hint} "), 1, 2);
            (await publisher.WaitAsync(s_timeout)).AssertClean();
        }
    }
}
