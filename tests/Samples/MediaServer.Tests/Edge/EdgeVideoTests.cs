using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using MediaServer.Tests.Infrastructure;

namespace MediaServer.Tests.Edge;

/// <summary>
/// Video on demand through an nginx edge (deploy/edge): ranges of a large video cut into cached slices come back byte
/// for byte, If-Range works against the origin's validators, and concurrent viewers of a cold slice cost the origin one
/// request.
/// </summary>
public sealed class EdgeVideoTests(EdgeCluster cluster) : IClassFixture<EdgeCluster>, IDisposable
{
    public void Dispose() => cluster.AssertNoFaults();

    [Fact]
    public async Task RandomRangesOfALargeVideoThroughAnEdgeAreByteExactColdAndWarm()
    {
        byte[] file = await File.ReadAllBytesAsync(Path.Combine(cluster.MediaDirectory, EdgeCluster.LargeVideo));
        var random = new Random(13);
        var ranges = new List<(long First, long Last)>
        {
            (0, 0), (0, (1 << 20) - 1), ((1 << 20) - 1, 1 << 20), (file.Length - 1, file.Length - 1), (file.Length - 5_000_000, file.Length - 1),
        };
        for (int i = 0; i < 30; i++)
        {
            long first = random.NextInt64(file.Length);
            long length = random.Next(3) switch { 0 => random.Next(1, 4096), 1 => 1 << 20, _ => random.Next(1, 3 << 20) };
            ranges.Add((first, Math.Min(first + length, file.Length) - 1));
        }

        using var client = new HttpClient();
        foreach (string pass in new[] { "cold", "warm" })
        {
            var statuses = new List<string>();
            foreach ((long first, long last) in ranges)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(cluster.Edges[0], $"videos/{EdgeCluster.LargeVideo}"));
                request.Headers.Range = new RangeHeaderValue(first, last);
                using HttpResponseMessage response = await client.SendAsync(request);
                byte[] body = await response.Content.ReadAsByteArrayAsync();

                Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
                Assert.Equal($"bytes {first}-{last}/{file.Length}", response.Content.Headers.ContentRange?.ToString());
                Assert.True(
                    SHA256.HashData(file.AsSpan((int)first, (int)(last - first + 1))).AsSpan().SequenceEqual(SHA256.HashData(body)),
                    $"{pass}: bytes {first}-{last} differ from the file ({body.Length} bytes received)");
                statuses.Add(response.Headers.GetValues("X-Cache-Status").Single());
            }

            if (pass == "warm")
            {
                Assert.All(statuses, status => Assert.Equal("HIT", status));
            }
        }
    }

    [Fact]
    public async Task IfRangeWithTheOriginsETagGetsTheRangeAndAStaleOneTheWholeFile()
    {
        byte[] file = MediaFiles.Bytes(MediaFiles.Mp4);
        Uri video = new(cluster.Edges[1], $"videos/{MediaFiles.Mp4}");
        using var client = new HttpClient();
        using HttpResponseMessage head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, video));
        EntityTagHeaderValue etag = head.Headers.ETag ?? throw new InvalidOperationException("no ETag through the edge");
        Assert.NotNull(head.Content.Headers.LastModified);

        using var current = new HttpRequestMessage(HttpMethod.Get, video);
        current.Headers.Range = new RangeHeaderValue(100, 199);
        current.Headers.IfRange = new RangeConditionHeaderValue(etag);
        using HttpResponseMessage partial = await client.SendAsync(current);
        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal(file.AsSpan(100, 100).ToArray(), await partial.Content.ReadAsByteArrayAsync());

        using var stale = new HttpRequestMessage(HttpMethod.Get, video);
        stale.Headers.Range = new RangeHeaderValue(100, 199);
        stale.Headers.IfRange = new RangeConditionHeaderValue(new EntityTagHeaderValue("\"an-older-version\""));
        using HttpResponseMessage whole = await client.SendAsync(stale);
        Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
        Assert.Equal(file, await whole.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task ManyViewersOfAColdSliceCostTheOriginOneRequestPerEdge()
    {
        byte[] file = MediaFiles.Bytes(MediaFiles.TransportStream);
        string path = $"/videos/{MediaFiles.TransportStream}";
        using var client = new HttpClient();
        Task<byte[]>[] viewers = [.. Enumerable.Range(0, 40).Select(i => client.GetByteArrayAsync(new Uri(cluster.Edges[i % 2], path)))];
        foreach (byte[] body in await Task.WhenAll(viewers))
        {
            Assert.Equal(file, body);
        }

        Assert.Equal(2, cluster.OriginRequests(path + " "));
    }
}
