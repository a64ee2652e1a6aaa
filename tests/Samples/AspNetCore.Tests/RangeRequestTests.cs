using System.Net;
using System.Net.Http.Headers;

namespace AspNetCore.Tests;

public class RangeRequestTests(VideoAppFixture app) : IClassFixture<VideoAppFixture>
{
    private const string Url = $"/videos/{VideoAppFixture.VideoName}";

    [Theory]
    [InlineData(0L, 0L)] // the first byte
    [InlineData(1234L, 21_233L)] // inside the first segment
    [InlineData(VideoAppFixture.SegmentSize - 10L, VideoAppFixture.SegmentSize + 9L)] // crosses a segment boundary
    [InlineData(5L, VideoAppFixture.VideoSize - 1L)] // crosses every boundary, ends at the last byte
    public async Task RangeRequestIsPartialContentWithExactlyTheRangesBytes(long from, long to)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Url);
        request.Headers.Range = new RangeHeaderValue(from, to);

        using HttpResponseMessage response = await app.Client.SendAsync(request);
        byte[] body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(new ContentRangeHeaderValue(from, to, VideoAppFixture.VideoSize), response.Content.Headers.ContentRange);
        Assert.True(app.Expected.AsSpan((int)from, (int)(to - from + 1)).SequenceEqual(body), $"bytes {from}-{to} differ (got {body.Length} bytes)");
    }

    [Fact]
    public async Task SuffixRangeIsTheVideosLastBytes()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Url);
        request.Headers.Range = new RangeHeaderValue(null, 1000);

        using HttpResponseMessage response = await app.Client.SendAsync(request);
        byte[] body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.True(app.Expected.AsSpan(VideoAppFixture.VideoSize - 1000).SequenceEqual(body), $"the last 1000 bytes differ (got {body.Length} bytes)");
    }

    [Fact]
    public async Task RangeStartingPastTheEndIsNotSatisfiable()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Url);
        request.Headers.Range = new RangeHeaderValue(VideoAppFixture.VideoSize, null);

        using HttpResponseMessage response = await app.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, response.StatusCode);
        Assert.Equal("bytes */" + VideoAppFixture.VideoSize, response.Content.Headers.ContentRange?.ToString());
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task RequestWithoutRangeIsTheWholeVideoAndAdvertisesRanges()
    {
        using HttpResponseMessage response = await app.Client.GetAsync(Url);
        byte[] body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("bytes", Assert.Single(response.Headers.AcceptRanges));
        Assert.Equal("video/mp2t", response.Content.Headers.ContentType?.MediaType);
        Assert.True(app.Expected.AsSpan().SequenceEqual(body), $"the whole video differs (got {body.Length} bytes)");
    }

    [Fact]
    public async Task IfRangeWithAStaleTagIsTheWholeVideo()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Url);
        request.Headers.Range = new RangeHeaderValue(0, 99);
        request.Headers.IfRange = new RangeConditionHeaderValue("\"stale\"");

        using HttpResponseMessage response = await app.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(VideoAppFixture.VideoSize, response.Content.Headers.ContentLength);
    }

    [Fact]
    public async Task UnknownVideoIsNotFound()
    {
        using HttpResponseMessage response = await app.Client.GetAsync("/videos/..%2Fetc%2Fpasswd");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
