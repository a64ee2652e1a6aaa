using System.Net;
using MediaServer.Tests.Infrastructure;

namespace MediaServer.Tests.Edge;

/// <summary>
/// Live Low-Latency HLS through a pair of edges, the same tests for each kind of edge: an encoder publishes through one
/// edge and lands on the channel's home origin, ffmpeg decodes the channel through the other, and many viewers waiting
/// for the next part cost the origin one request per edge. Each kind is a sealed subclass with its own cluster (its
/// class fixture), which names the edges under test and says what that kind of edge promises beyond the common ground
/// (<see cref="EdgeNginxLiveTests"/>: nginx, deploy/edge; <see cref="EdgeVarnishLiveTests"/>: the Varnish live edges,
/// deploy/edge/live.vcl.template).
/// </summary>
public abstract class EdgeLiveTests(EdgeCluster cluster) : IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    /// <summary>The cluster of this class: origins, nginx edges and, where the class asks, Varnish live edges.</summary>
    protected EdgeCluster Cluster { get; } = cluster;

    /// <summary>The two edges under test (base URIs): encoders publish through the first, viewers watch through both.</summary>
    protected abstract IReadOnlyList<Uri> Edges { get; }

    /// <summary>The first word of the tests' channel names (<c>edge-ffmpeg</c>, <c>varnish-fanout</c>).</summary>
    protected abstract string ChannelPrefix { get; }

    /// <summary>How many viewers per edge wait for the next part.</summary>
    protected abstract int ViewersPerEdge { get; }

    /// <summary>The Cache-Control that a plain playlist reload carries through the edge, or null where the tests leave it open.</summary>
    protected virtual string? ReloadCacheControl => null;

    /// <summary>Whether ffprobe, too, reads the channel's streams through the edge the viewers watch.</summary>
    protected virtual bool ProbesWithFfprobe => false;

    /// <summary>
    /// Whether the edge keys a blocking reload by its HLS directives alone: then every other pair of viewers orders the
    /// directives the other way and adds a cache buster, and still shares the one cache entry.
    /// </summary>
    protected virtual bool KeysReloadsByDirectives => false;

    /// <summary>Whether the edge's answers carry an Age header.</summary>
    protected virtual bool SendsAge => false;

    /// <summary>
    /// Whether each edge fills an object its viewers wait for exactly once (the origin sees one request per edge), rather
    /// than at most once (between one and one per edge).
    /// </summary>
    protected virtual bool FillsOncePerEdge => false;

    public void Dispose()
    {
        Cluster.AssertNoFaults();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task FfmpegDecodesAChannelPublishedThroughOneEdgeAndWatchedThroughTheOther()
    {
        string name = $"{ChannelPrefix}-ffmpeg";
        (RunningTool publisher, int home) = await Cluster.PublishThroughAsync(Edges[0], name, seconds: 14);
        using (publisher)
        {
            using var client = new HttpClient();
            Uri playlist = HlsHelpers.Playlist(Edges[1], name);
            await HlsHelpers.WaitForPreloadHintAsync(client, playlist);
            using HttpResponseMessage reload = await client.GetAsync(playlist);
            Assert.Equal(home, Cluster.OriginIndexOf(reload.Headers.GetValues("X-Origin").Single()));
            if (ReloadCacheControl is not null)
            {
                Assert.Equal(ReloadCacheControl, reload.Headers.CacheControl?.ToString());
            }

            ToolResult viewer = await ExternalTool.RunAsync("ffmpeg", ["-hide_banner", "-nostdin", "-i", playlist.ToString(), "-t", "4", "-f", "null", "-"], s_timeout);

            viewer.AssertClean();
            Assert.Contains("Video: h264", viewer.StandardError, StringComparison.Ordinal);
            Assert.Contains("Audio: aac", viewer.StandardError, StringComparison.Ordinal);
            Assert.True(LiveHelpers.FramesDecoded(viewer) >= 90, $"decoded {LiveHelpers.FramesDecoded(viewer)} frames:\n{viewer.StandardError}");
            if (ProbesWithFfprobe)
            {
                ToolResult probe = await ExternalTool.RunAsync("ffprobe", ["-v", "error", "-show_entries", "stream=codec_name", "-of", "csv=p=0", playlist.ToString()], s_timeout);
                Assert.Contains("h264", probe.StandardOutput, StringComparison.Ordinal);
            }

            (await publisher.WaitAsync(s_timeout)).AssertClean();
        }
    }

    [Fact]
    public async Task ViewersWaitingForTheNextPartCostTheOriginOneRequestPerEdge()
    {
        string name = $"{ChannelPrefix}-fanout";
        (RunningTool publisher, _) = await Cluster.PublishThroughAsync(Edges[0], name, seconds: 12);
        using (publisher)
        {
            using var client = new HttpClient();
            (_, string hint, long msn, int part) = await HlsHelpers.WaitForPreloadHintAsync(client, HlsHelpers.Playlist(Edges[0], name));
            string blocking = $"/live/{name}/index.m3u8?_HLS_msn={msn}&_HLS_part={part}";

            // The viewers of each edge ask for the playlist that lists the hinted part and for the part itself, before it
            // is cut; where the edge keys reloads by their directives, every other pair orders them the other way and adds
            // a cache buster (the same cache entry).
            int viewers = 2 * ViewersPerEdge;
            Task<HttpResponseMessage>[] playlists = [.. Enumerable.Range(0, viewers).Select(i => client.GetAsync(new Uri(Edges[i % 2],
                !KeysReloadsByDirectives || i % 4 < 2 ? blocking : $"/live/{name}/index.m3u8?_HLS_part={part}&v={i}&_HLS_msn={msn}")))];
            Task<byte[]>[] parts = [.. Enumerable.Range(0, viewers).Select(i => client.GetByteArrayAsync(new Uri(Edges[i % 2], $"live/{name}/{hint}")))];
            HttpResponseMessage[] answered = await Task.WhenAll(playlists).WaitAsync(s_timeout);
            byte[][] bodies = await Task.WhenAll(parts).WaitAsync(s_timeout);

            Assert.All(answered, response => Assert.Equal(HttpStatusCode.OK, response.StatusCode));
            string[] texts = await Task.WhenAll(answered.Select(response => response.Content.ReadAsStringAsync()));
            Assert.All(texts, text => Assert.Contains(hint, text, StringComparison.Ordinal));
            Assert.All(answered, response => Assert.Equal("public, max-age=12", response.Headers.CacheControl?.ToString()));
            if (SendsAge)
            {
                Assert.All(answered, response => Assert.NotNull(response.Headers.Age));
            }

            Assert.All(bodies, body => Assert.Equal(bodies[0], body));
            Assert.True(bodies[0].Length > 0 && bodies[0][0] == 0x47, "a part starts with an MPEG-TS sync byte");
            foreach (HttpResponseMessage response in answered)
            {
                response.Dispose();
            }

            // At most one fill per edge: each edge's first request went to the origin, the others waited for it; an edge
            // that fills once per edge does so every time.
            int least = FillsOncePerEdge ? 2 : 1;
            Assert.InRange(Cluster.OriginRequests(blocking + " "), least, 2);
            Assert.InRange(Cluster.OriginRequests($"/live/{name}/{hint} "), least, 2);
            (await publisher.WaitAsync(s_timeout)).AssertClean();
        }
    }
}
