using System.Net;
using System.Net.Http.Headers;
using ZeroCopy.AspNetCore.Tests.Infrastructure;

namespace ZeroCopy.AspNetCore.Tests.Caching;

public class ConditionalRequestTests(VideoServerFixture server) : IClassFixture<VideoServerFixture>
{
    private static readonly DateTimeOffset LastModifiedSecond = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    [Fact]
    public async Task IfRangeWithTheCurrentTagKeepsTheRange()
    {
        using HttpResponseMessage response = await SendRangeAsync(new RangeConditionHeaderValue("\"v1\""));

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(100, (await response.Content.ReadAsByteArrayAsync()).Length);
    }

    [Theory]
    [InlineData("\"stale\"")]
    [InlineData("W/\"v1\"")] // a weak tag never matches in If-Range
    public async Task IfRangeWithAnotherTagGetsTheWholeVideo(string tag)
    {
        using HttpResponseMessage response = await SendRangeAsync(RangeConditionHeaderValue.Parse(tag));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        byte[] body = await response.Content.ReadAsByteArrayAsync();
        Assert.True(server.Expected.AsSpan().SequenceEqual(body));
    }

    [Fact]
    public async Task IfRangeWithTheLastModifiedDateKeepsTheRange()
    {
        using HttpResponseMessage response = await SendRangeAsync(new RangeConditionHeaderValue(LastModifiedSecond));

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
    }

    [Fact]
    public async Task IfRangeWithAnOlderDateGetsTheWholeVideo()
    {
        using HttpResponseMessage response = await SendRangeAsync(new RangeConditionHeaderValue(LastModifiedSecond.AddSeconds(-1)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(VideoServerFixture.VideoSize, response.Content.Headers.ContentLength);
    }

    [Theory]
    [InlineData("If-None-Match", "\"v1\"")]
    [InlineData("If-None-Match", "W/\"v1\"")] // weak comparison
    [InlineData("If-None-Match", "*")]
    [InlineData("If-Modified-Since", "Fri, 02 Jan 2026 03:04:05 GMT")]
    public async Task CurrentCopyIsNotModified(string header, string value)
    {
        using HttpResponseMessage response = await SendAsync(header, value);

        Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
        Assert.Equal("\"v1\"", response.Headers.ETag?.ToString());
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("If-None-Match", "\"v0\"")]
    [InlineData("If-Modified-Since", "Fri, 02 Jan 2026 03:04:04 GMT")]
    [InlineData("If-Match", "\"v1\"")]
    [InlineData("If-Unmodified-Since", "Fri, 02 Jan 2026 03:04:05 GMT")]
    public async Task ConditionThatHoldsGetsTheVideo(string header, string value)
    {
        using HttpResponseMessage response = await SendAsync(header, value);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(VideoServerFixture.VideoSize, (await response.Content.ReadAsByteArrayAsync()).Length);
    }

    [Theory]
    [InlineData("If-Match", "\"v0\"")]
    [InlineData("If-Match", "W/\"v1\"")] // If-Match compares strongly
    [InlineData("If-Unmodified-Since", "Fri, 02 Jan 2026 03:04:04 GMT")]
    public async Task FailedPreconditionIs412(string header, string value)
    {
        using HttpResponseMessage response = await SendAsync(header, value);

        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    private async Task<HttpResponseMessage> SendRangeAsync(RangeConditionHeaderValue ifRange)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/video");
        request.Headers.Range = new RangeHeaderValue(0, 99);
        request.Headers.IfRange = ifRange;
        return await server.Client.SendAsync(request);
    }

    private async Task<HttpResponseMessage> SendAsync(string header, string value)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/video");
        request.Headers.TryAddWithoutValidation(header, value);
        return await server.Client.SendAsync(request);
    }
}
