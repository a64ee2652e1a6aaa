using MediaServer.Http;

namespace MediaServer.Tests.Http;

public sealed class RequestPathTests
{
    [Theory]
    [InlineData("/", new[] { "" })]
    [InlineData("/videos", new[] { "videos" })]
    [InlineData("/videos/", new[] { "videos", "" })]
    [InlineData("/videos/clip.mp4/chunk", new[] { "videos", "clip.mp4", "chunk" })]
    [InlineData("/videos/..%2f..%2fetc%2fpasswd", new[] { "videos", "../../etc/passwd" })] // an encoded slash is not a separator
    [InlineData("/videos/caf%C3%A9.mp4", new[] { "videos", "café.mp4" })]
    [InlineData("/videos/a+b", new[] { "videos", "a+b" })] // '+' is only a space in a query
    public void SplitsThenDecodesEachSegment(string path, string[] expected)
    {
        Assert.True(RequestPath.TrySplit(path, out string[] segments));
        Assert.Equal(expected, segments);
    }

    [Theory]
    [InlineData("/videos/%zz")]
    [InlineData("/videos/%4")]
    [InlineData("/videos/abc%")]
    public void RejectsMalformedEscapes(string path) => Assert.False(RequestPath.TrySplit(path, out _));
}
