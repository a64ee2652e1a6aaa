using System.Net;
using MediaServer.Tests.Infrastructure;

namespace MediaServer.Tests.Edge;

/// <summary>
/// Consistent hashing across the edge tier: both edges send each video to the same home origin, and when one origin
/// dies only its videos move; the others keep their origin, and what an edge has cached it keeps serving.
/// </summary>
public sealed class EdgeFailoverTests(EdgeFailoverTests.ThreeOrigins cluster) : IClassFixture<EdgeFailoverTests.ThreeOrigins>
{
    /// <summary>Three origins and sixteen videos (copies of clip.ts under other names): about five homes each.</summary>
    public sealed class ThreeOrigins : EdgeCluster
    {
        public override int OriginCount => 3;

        public override int KeyCopies => 16;
    }

    private async Task<(int Origin, string Cache)> FetchAsync(HttpClient client, Uri edge, string key, byte[] expected)
    {
        using HttpResponseMessage response = await client.GetAsync(new Uri(edge, $"videos/{key}"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(expected, await response.Content.ReadAsByteArrayAsync());
        string cache = response.Headers.GetValues("X-Cache-Status").Single();
        if (cache == "HIT")
        {
            return (-1, cache); // no origin was asked, and nginx sends no empty X-Origin
        }

        // After a failed attempt nginx lists every origin it tried ("a, b"): the last one answered.
        return (cluster.OriginIndexOf(response.Headers.GetValues("X-Origin").Single().Split(", ")[^1]), cache);
    }

    [Fact]
    public async Task KillingAnOriginMovesOnlyItsVideosToTheOthers()
    {
        byte[] expected = MediaFiles.Bytes(MediaFiles.TransportStream);
        string[] keys = [.. EdgeCluster.KeyNames(cluster.KeyCopies)];
        using var client = new HttpClient();

        // Edge 0 fetches every video (cold: the home origin answers); edge 1 stays cold until after the failure.
        var home = new Dictionary<string, int>();
        foreach (string key in keys)
        {
            (int origin, string cache) = await FetchAsync(client, cluster.Edges[0], key, expected);
            Assert.Equal("MISS", cache);
            home[key] = origin;
        }

        // The ring is built from the origins' addresses, whose ports change every run: usually all three get homes, but
        // the test needs only the victim's (keys[0]'s) and at least one other that must not move.
        Assert.True(home.Values.Distinct().Count() >= 2, $"16 videos over 3 origins all went to one: {string.Join(", ", home)}");
        int victim = home[keys[0]];
        await cluster.StopOriginAsync(victim);

        foreach (string key in keys)
        {
            // Edge 1 never saw the videos: it asks the origins, by the same ring as edge 0.
            (int origin, _) = await FetchAsync(client, cluster.Edges[1], key, expected);
            if (home[key] == victim)
            {
                Assert.True(origin >= 0 && origin != victim, $"{key}: its home {victim} is down, yet origin {origin} answered");
            }
            else
            {
                Assert.True(origin == home[key], $"{key}: home {home[key]}, but origin {origin} answered after origin {victim} died");
            }

            // Edge 0 still serves every video from its cache, the dead origin's included.
            (_, string cache) = await FetchAsync(client, cluster.Edges[0], key, expected);
            Assert.Equal("HIT", cache);
        }
    }
}
