using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using MediaServer.Tests.Infrastructure;

namespace MediaServer.Tests.Edge;

/// <summary>
/// <see cref="EdgeLiveTests"/> through the Varnish live edges (deploy/edge/live.vcl.template): a plain playlist reload is
/// <c>no-cache</c>, 50 viewers per edge wait with the directives in either order and a cache buster, answers carry an
/// Age, and each edge fills what they wait for exactly once. Beyond those: the bytes of parts and segments are the
/// origin's, and a part that never comes is the origin's error for every waiting viewer, not a hang.
/// </summary>
public sealed class EdgeVarnishLiveTests(LiveEdgeCluster cluster) : EdgeLiveTests(cluster), IClassFixture<LiveEdgeCluster>
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    protected override IReadOnlyList<Uri> Edges => Cluster.LiveEdges;

    protected override string ChannelPrefix => "varnish";

    protected override int ViewersPerEdge => 50;

    protected override string? ReloadCacheControl => "no-cache";

    protected override bool KeysReloadsByDirectives => true;

    protected override bool SendsAge => true;

    protected override bool FillsOncePerEdge => true;

    [Fact]
    public async Task PartsAndSegmentsThroughALiveEdgeAreTheOriginsBytes()
    {
        (RunningTool publisher, int home) = await Cluster.PublishThroughAsync(Cluster.LiveEdges[0], "varnish-bytes", seconds: 12);
        using (publisher)
        {
            using var client = new HttpClient();
            Uri origin = Cluster.Origins[home].BaseUri;
            (_, string hint, long msn, int part) = await HlsHelpers.WaitForPreloadHintAsync(client, HlsHelpers.Playlist(origin, "varnish-bytes"));
            // The playlist once the hinted part is out: every part and segment it lists exists on the origin.
            string listed = await client.GetStringAsync(HlsHelpers.Playlist(origin, "varnish-bytes", $"?_HLS_msn={msn}&_HLS_part={part}"));
            string[] parts = [.. listed.Split('\n').Where(line => line.StartsWith("#EXT-X-PART:", StringComparison.Ordinal))
                .Select(line => line[(line.IndexOf("URI=\"", StringComparison.Ordinal) + 5)..].Split('"')[0])];
            string[] uris = [.. HlsHelpers.Segments(listed), .. parts];
            Assert.True(parts.Length >= 2 && uris.Length > parts.Length, $"the playlist lists {parts.Length} parts and {uris.Length - parts.Length} segments:\n{listed}");
            Assert.Contains(hint, parts);

            foreach (string uri in uris)
            {
                byte[] fromOrigin = await client.GetByteArrayAsync(new Uri(origin, $"live/varnish-bytes/{uri}"));
                foreach (Uri edge in Cluster.LiveEdges)
                {
                    // Twice: the fill (MISS, streamed from the origin) and the cached copy (HIT).
                    foreach (string expected in new[] { "MISS", "HIT" })
                    {
                        using HttpResponseMessage response = await client.GetAsync(new Uri(edge, $"live/varnish-bytes/{uri}"));
                        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                        byte[] body = await response.Content.ReadAsByteArrayAsync();
                        Assert.True(SHA256.HashData(body).AsSpan().SequenceEqual(SHA256.HashData(fromOrigin)), $"{uri} through {edge}: {body.Length} bytes, the origin's {fromOrigin.Length}, SHA-256 differ");
                        Assert.Equal(expected, response.Headers.GetValues("X-Cache-Status").Single());
                        Assert.Equal("public, max-age=86400, immutable", response.Headers.CacheControl?.ToString());
                    }
                }

                // The origin served each once to this test and once to each edge.
                Assert.Equal(1 + Cluster.LiveEdges.Count, Cluster.OriginRequests($"/live/varnish-bytes/{uri} "));
            }

            (await publisher.WaitAsync(s_timeout)).AssertClean();
        }
    }

    [Fact]
    public async Task APartThatNeverComesIsTheOriginsErrorForEveryWaitingViewer()
    {
        (RunningTool publisher, int home) = await Cluster.PublishThroughAsync(Cluster.LiveEdges[0], "varnish-gone", seconds: 60);
        using (publisher)
        {
            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            (_, string hint, long msn, _) = await HlsHelpers.WaitForPreloadHintAsync(client, HlsHelpers.Playlist(Cluster.LiveEdges[0], "varnish-gone"));
            // The next segment's first part and the playlist that would list it: 40 viewers over both edges wait for them.
            string blocking = $"/live/varnish-gone/index.m3u8?_HLS_msn={msn + 1}&_HLS_part=0";
            string next = $"/live/varnish-gone/{hint.Split('-')[0]}-{msn + 1}.0.ts";
            Task<HttpResponseMessage>[] waiting = [.. Enumerable.Range(0, 40).Select(i => client.GetAsync(new Uri(Cluster.LiveEdges[i % 2], i % 4 < 2 ? blocking : next)))];
            await Task.Delay(500);

            // The publisher goes away mid-segment: that segment never ends, the next never starts.
            publisher.Kill();
            var clock = Stopwatch.StartNew();
            HttpResponseMessage[] answered = await Task.WhenAll(waiting).WaitAsync(s_timeout);

            // Every viewer got the origin's answer, the same for all viewers of a URL, and no one waited past the origin's
            // own hold (7 s): the part is an error (503 when the origin's hold timed out, 404 or 410 once the channel is
            // gone); the playlist is the ended channel's (the origin answers a blocking reload of an ended playlist at
            // once, with EXT-X-ENDLIST) or an error.
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"40 viewers of a part that never comes were answered after {clock.Elapsed.TotalSeconds:0.0} s");
            string[] bodies = await Task.WhenAll(answered.Select(response => response.Content.ReadAsStringAsync()));
            foreach (string url in new[] { blocking, next })
            {
                int[] viewers = [.. Enumerable.Range(0, answered.Length).Where(i => (i % 4 < 2 ? blocking : next) == url)];
                int[] statuses = [.. viewers.Select(i => (int)answered[i].StatusCode)];
                Assert.True(statuses.All(status => status == statuses[0]), $"{url}: {string.Join(", ", statuses)}");
                Assert.True(statuses[0] >= 400 || (url == blocking && statuses[0] == 200 && viewers.All(i => bodies[i].Contains("#EXT-X-ENDLIST", StringComparison.Ordinal))),
                    $"{url}: {statuses[0]}, {bodies[viewers[0]]}");
                // The answer is cached (an error briefly), so each edge asked the origin about once, not once per viewer.
                Assert.InRange(Cluster.OriginRequests(url + " "), 1, 2 * Cluster.LiveEdges.Count);
            }

            foreach (HttpResponseMessage response in answered)
            {
                response.Dispose();
            }

            await LiveHelpers.WaitForChannelGoneAsync(Cluster.Origins[home], "varnish-gone");
        }
    }
}
