using System.Net;
using System.Net.Http.Headers;
using ZeroCopy.AspNetCore.Tests.Infrastructure;

namespace ZeroCopy.AspNetCore.Tests.Caching;

public class RangeRequestTests(VideoServerFixture server) : IClassFixture<VideoServerFixture>
{
    private const long Size = VideoServerFixture.VideoSize;

    [Theory]
    [InlineData(0L, 0L)] // the first byte
    [InlineData(100L, 999L)] // inside the first segment
    [InlineData(VideoServerFixture.SegmentSize - 10L, VideoServerFixture.SegmentSize + 9L)] // crosses a segment boundary
    [InlineData(5L, Size - 1)] // crosses every boundary, ends at the last byte
    public async Task OneRangeIsPartialContentWithExactlyItsBytes(long from, long to)
    {
        using HttpResponseMessage response = await SendAsync(HttpMethod.Get, "/video", new RangeHeaderValue(from, to));
        byte[] body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(new ContentRangeHeaderValue(from, to, Size), response.Content.Headers.ContentRange);
        Assert.Equal(to - from + 1, response.Content.Headers.ContentLength);
        Assert.True(server.Expected.AsSpan((int)from, (int)(to - from + 1)).SequenceEqual(body), $"bytes {from}-{to} differ (got {body.Length} bytes)");
    }

    [Fact]
    public async Task RangeEndingPastTheEndIsClampedToTheLastByte()
    {
        using HttpResponseMessage response = await SendAsync(HttpMethod.Get, "/video", new RangeHeaderValue(Size - 100, Size + 5000));
        byte[] body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(new ContentRangeHeaderValue(Size - 100, Size - 1, Size), response.Content.Headers.ContentRange);
        Assert.True(server.Expected.AsSpan((int)Size - 100).SequenceEqual(body));
    }

    [Theory]
    [InlineData(1000L)]
    [InlineData(Size + 1)] // a suffix longer than the video is all of it
    public async Task SuffixRangeIsTheLastBytes(long suffix)
    {
        using HttpResponseMessage response = await SendAsync(HttpMethod.Get, "/video", new RangeHeaderValue(null, suffix));
        byte[] body = await response.Content.ReadAsByteArrayAsync();

        long count = Math.Min(suffix, Size);
        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(new ContentRangeHeaderValue(Size - count, Size - 1, Size), response.Content.Headers.ContentRange);
        Assert.True(server.Expected.AsSpan((int)(Size - count)).SequenceEqual(body), $"the last {count} bytes differ (got {body.Length})");
    }

    [Fact]
    public async Task OpenRangeRunsToTheEnd()
    {
        using HttpResponseMessage response = await SendAsync(HttpMethod.Get, "/video", new RangeHeaderValue(40_000, null));
        byte[] body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.True(server.Expected.AsSpan(40_000).SequenceEqual(body));
    }

    [Theory]
    [InlineData("/video", Size, null)] // starts at the end
    [InlineData("/video", Size + 10, null)] // starts past it
    [InlineData("/video", null, 0L)] // a suffix of nothing
    [InlineData("/empty", 0L, null)] // any range of an empty representation
    public async Task UnsatisfiableRangeIs416WithTheLength(string path, long? from, long? to)
    {
        using HttpResponseMessage response = await SendAsync(HttpMethod.Get, path, new RangeHeaderValue(from, to));

        long length = path == "/empty" ? 0 : Size;
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, response.StatusCode);
        Assert.Equal($"bytes */{length}", response.Content.Headers.ContentRange?.ToString());
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task SeveralRangesGetTheWholeVideo()
    {
        var ranges = new RangeHeaderValue(0, 9);
        ranges.Ranges.Add(new RangeItemHeaderValue(100, 109));
        using HttpResponseMessage response = await SendAsync(HttpMethod.Get, "/video", ranges);
        byte[] body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(server.Expected.AsSpan().SequenceEqual(body));
    }

    [Theory]
    [InlineData("bytes=oops")]
    [InlineData("items=0-10")]
    [InlineData("bytes=20-10")]
    public async Task RangeThatDoesNotParseOrIsNotBytesIsIgnored(string range)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/video");
        request.Headers.TryAddWithoutValidation("Range", range);
        using HttpResponseMessage response = await server.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Size, (await response.Content.ReadAsByteArrayAsync()).Length);
    }

    [Fact]
    public async Task RequestWithoutRangeIsTheWholeVideoWithItsHeaders()
    {
        using HttpResponseMessage response = await server.Client.GetAsync("/video");
        byte[] body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("bytes", Assert.Single(response.Headers.AcceptRanges));
        Assert.Equal("video/mp2t", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(Size, response.Content.Headers.ContentLength);
        Assert.Equal("\"v1\"", response.Headers.ETag?.ToString());
        Assert.Equal(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), response.Content.Headers.LastModified);
        Assert.True(server.Expected.AsSpan().SequenceEqual(body));
    }

    [Fact]
    public async Task SubRangeOfTheCacheIsItsOwnRepresentation()
    {
        using HttpResponseMessage whole = await server.Client.GetAsync("/part");
        using HttpResponseMessage range = await SendAsync(HttpMethod.Get, "/part", new RangeHeaderValue(10, 19));

        byte[] wholeBody = await whole.Content.ReadAsByteArrayAsync();
        byte[] rangeBody = await range.Content.ReadAsByteArrayAsync();
        Assert.True(server.Expected.AsSpan((int)VideoServerFixture.PartOffset, (int)VideoServerFixture.PartLength).SequenceEqual(wholeBody));
        Assert.Equal(new ContentRangeHeaderValue(10, 19, VideoServerFixture.PartLength), range.Content.Headers.ContentRange);
        Assert.True(server.Expected.AsSpan((int)VideoServerFixture.PartOffset + 10, 10).SequenceEqual(rangeBody));
    }

    [Fact]
    public async Task HeadHasTheHeadersAndNoBody()
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, "/video");
        using HttpResponseMessage response = await server.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Size, response.Content.Headers.ContentLength);
        Assert.Equal("bytes", Assert.Single(response.Headers.AcceptRanges));
        Assert.Equal("\"v1\"", response.Headers.ETag?.ToString());
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task HeadWithARangeHasTheHeadOfThePartialGetAndNoBody()
    {
        using HttpResponseMessage response = await SendAsync(HttpMethod.Head, "/video", new RangeHeaderValue(10, 19));

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(new ContentRangeHeaderValue(10, 19, Size), response.Content.Headers.ContentRange);
        Assert.Equal(10, response.Content.Headers.ContentLength);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public void RangeOutsideTheCacheIsRejectedWhenTheResultIsMade()
    {
        using var cache = new VideoCache(100, VideoCache.MinSegmentSize);

        Assert.Throws<ArgumentOutOfRangeException>(() => VideoCacheResults.Range(cache, 50, 51, "video/mp4"));
        Assert.Throws<ArgumentOutOfRangeException>(() => VideoCacheResults.Range(cache, -1, 1, "video/mp4"));
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, RangeHeaderValue range)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Range = range;
        return await server.Client.SendAsync(request);
    }
}
