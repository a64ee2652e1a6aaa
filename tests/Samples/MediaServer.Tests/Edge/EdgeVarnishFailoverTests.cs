using System.Diagnostics;
using System.Net;
using MediaServer.Tests.Infrastructure;

namespace MediaServer.Tests.Edge;

/// <summary>
/// Failures around the Varnish live edges: an origin killed sends a channel published again to the next origin on the
/// shard ring (health probes), and back to its home when the origin returns; a live edge restarted loses its cache and
/// nothing else.
/// </summary>
public sealed class EdgeVarnishFailoverTests(LiveEdgeCluster cluster) : IClassFixture<LiveEdgeCluster>
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Publishes <paramref name="name"/> through live edge <paramref name="edge"/> until it lands on an origin: while the
    /// edge still thinks a dead home healthy (until its probes notice, about 2 s), the PUT fails and is tried again, at
    /// most 10 times.
    /// </summary>
    private async Task<(RunningTool Publisher, int Home)> PublishAsync(int edge, string name)
    {
        var clock = Stopwatch.StartNew();
        for (int attempt = 1; ; attempt++)
        {
            RunningTool publisher = ExternalTool.Start("ffmpeg", LiveHelpers.FfmpegPush(new Uri(cluster.LiveEdges[edge], $"live/{name}").ToString(), seconds: 60, withAudio: false, "-method", "PUT"));
            while (!publisher.Process.HasExited && clock.Elapsed < s_timeout)
            {
                int home = Enumerable.Range(0, cluster.Origins.Count).FirstOrDefault(i => cluster.IsRunning(i) && cluster.Origins[i].Server.Channels.TryGet(name, out var channel) && channel.BytesReceived > 0, -1);
                if (home >= 0)
                {
                    return (publisher, home);
                }

                await Task.Delay(50);
            }

            string stderr = publisher.StandardError;
            publisher.Dispose();
            Assert.True(attempt < 10 && clock.Elapsed < s_timeout, $"channel '{name}' reached no origin after {attempt} attempts in {clock.Elapsed.TotalSeconds:0} s; the last publisher's stderr: {stderr}");
            await Task.Delay(1000);
        }
    }

    /// <summary>The origin that answers a plain reload of <paramref name="name"/> through live edge <paramref name="edge"/>, once the channel has a part to block on.</summary>
    private async Task<int> WatchAsync(HttpClient client, int edge, string name)
    {
        (_, string hint, _, _) = await HlsHelpers.WaitForPreloadHintAsync(client, HlsHelpers.Playlist(cluster.LiveEdges[edge], name));
        byte[] part = await client.GetByteArrayAsync(new Uri(cluster.LiveEdges[edge], $"live/{name}/{hint}"));
        Assert.True(part.Length > 0 && part[0] == 0x47, "a part starts with an MPEG-TS sync byte");
        using HttpResponseMessage reload = await client.GetAsync(HlsHelpers.Playlist(cluster.LiveEdges[edge], name));
        Assert.Equal(HttpStatusCode.OK, reload.StatusCode);
        return cluster.OriginIndexOf(reload.Headers.GetValues("X-Origin").Single());
    }

    [Fact]
    public async Task AnOriginKilledSendsItsChannelToTheNextOriginAndBackWhenItReturns()
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        (RunningTool first, int home) = await PublishAsync(0, "varnish-failover");
        using (first)
        {
            Assert.Equal(home, await WatchAsync(client, 1, "varnish-failover"));
            await cluster.StopOriginAsync(home);
        }

        // The encoder reconnects through the edge: the edge's probes have taken the home out, the next origin takes it.
        (RunningTool second, int next) = await PublishAsync(0, "varnish-failover");
        using (second)
        {
            Assert.NotEqual(home, next);
            Assert.Equal(next, await WatchAsync(client, 1, "varnish-failover"));
            Assert.Equal(next, await WatchAsync(client, 0, "varnish-failover"));

            await cluster.RestartOriginAsync(home);
            second.Kill();
            await LiveHelpers.WaitForChannelGoneAsync(cluster.Origins[next], "varnish-failover");
        }

        // The home is back: once the probes see it healthy (2 good of the last 3, a second apart), the channel's next
        // publication lands on it again, and both edges send its viewers there.
        await Task.Delay(TimeSpan.FromSeconds(3));
        (RunningTool third, int back) = await PublishAsync(0, "varnish-failover");
        using (third)
        {
            Assert.Equal(home, back);
            Assert.Equal(home, await WatchAsync(client, 1, "varnish-failover"));
            Assert.Equal(home, await WatchAsync(client, 0, "varnish-failover"));
        }
    }

    [Fact]
    public async Task ALiveEdgeRestartedLosesItsCacheAndNothingElse()
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        // Published through the edge that stays up: the restart must not end the channel.
        (RunningTool publisher, int home) = await PublishAsync(1, "varnish-restart");
        using (publisher)
        {
            (string listed, _, _, _) = await HlsHelpers.WaitForPreloadHintAsync(client, HlsHelpers.Playlist(cluster.Origins[home].BaseUri, "varnish-restart"));
            string segment = $"/live/varnish-restart/{HlsHelpers.Segments(listed)[^1]}";
            byte[] expected = await client.GetByteArrayAsync(new Uri(cluster.Origins[home].BaseUri, segment));
            Assert.Equal("MISS", await FetchAsync(client, segment, expected));
            Assert.Equal("HIT", await FetchAsync(client, segment, expected));
            Assert.Equal(2, cluster.OriginRequests(segment + " "));

            await cluster.RestartLiveEdgeAsync(0);

            // Its cache is gone: the segment is filled again, once; the channel and its viewers carry on.
            Assert.Equal("MISS", await FetchAsync(client, segment, expected));
            Assert.Equal("HIT", await FetchAsync(client, segment, expected));
            Assert.Equal(3, cluster.OriginRequests(segment + " "));
            Assert.Equal(home, await WatchAsync(client, 0, "varnish-restart"));
            Assert.False(publisher.Process.HasExited, $"the publisher stopped when the other edge restarted: {publisher.StandardError}");
        }
    }

    private async Task<string> FetchAsync(HttpClient client, string segment, byte[] expected)
    {
        using HttpResponseMessage response = await client.GetAsync(new Uri(cluster.LiveEdges[0], segment));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(expected, await response.Content.ReadAsByteArrayAsync());
        return response.Headers.GetValues("X-Cache-Status").Single();
    }
}
