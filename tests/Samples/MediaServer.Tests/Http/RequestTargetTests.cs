using MediaServer.Http;

namespace MediaServer.Tests.Http;

/// <summary>The request target: the path's segments, and the one query-string parser's rules (RFC 3986 escapes, <c>+</c> as a space, a repeated name refused).</summary>
public sealed class RequestTargetTests
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
        Assert.True(RequestTarget.TrySplitPath(path, out string[] segments));
        Assert.Equal(expected, segments);
    }

    [Theory]
    [InlineData("/videos/%zz")]
    [InlineData("/videos/%4")]
    [InlineData("/videos/abc%")]
    public void RejectsMalformedEscapes(string path) => Assert.False(RequestTarget.TrySplitPath(path, out _));

    [Fact]
    public void ParsesQueryValuesWithPlusAsSpace()
    {
        Assert.True(RequestTarget.TryParseQuery("t=00%3A00%3A30%3A00&size=100&x=a+b&flag", out IReadOnlyDictionary<string, string> values));
        Assert.Equal("00:00:30:00", values["t"]);
        Assert.Equal("100", values["size"]);
        Assert.Equal("a b", values["x"]);
        Assert.Equal(string.Empty, values["flag"]);
    }

    [Fact]
    public void RejectsARepeatedQueryName() => Assert.False(RequestTarget.TryParseQuery("size=1&size=2", out _));

    [Theory]
    [InlineData("x=a+b", "x", "a b")]
    [InlineData("x=a%2Bb", "x", "a+b")] // a literal plus is escaped
    [InlineData("x=a%2bb", "x", "a+b")] // hex digits in either case
    [InlineData("a+b=1", "a b", "1")] // names decode as values do
    [InlineData("x=%E2%82%AC", "x", "€")] // UTF-8
    [InlineData("x=a=b", "x", "a=b")] // the value runs from the first '='
    [InlineData("&&x=1&", "x", "1")] // empty pairs are skipped
    public void DecodesEscapesAndPlusInNamesAndValues(string query, string name, string expected)
    {
        Assert.True(RequestTarget.TryParseQuery(query, out IReadOnlyDictionary<string, string> values), query);
        Assert.Equal(expected, Assert.Contains(name, values));
    }

    [Theory]
    [InlineData("x=%zz")]
    [InlineData("x=%4")]
    [InlineData("x=abc%")]
    [InlineData("x=%%41")]
    [InlineData("%g1=1")]
    [InlineData("x=1&y=%")] // a bad escape anywhere makes the whole query malformed
    public void ABadPercentEscapeMakesTheQueryMalformed(string query) => Assert.False(RequestTarget.TryParseQuery(query, out _), query);

    [Theory]
    [InlineData("expires=1&expires=2")]
    [InlineData("token=a&x=1&token=a")] // the same value twice too
    [InlineData("key=a&%6Bey=b")] // the same name once decoded
    [InlineData("t&t")]
    public void ARepeatedNameMakesTheQueryMalformed(string query) => Assert.False(RequestTarget.TryParseQuery(query, out _), query);

    [Theory]
    [InlineData("x=a b")]
    [InlineData("x=caf\u00e9")]
    [InlineData("x=a\tb")]
    public void ACharacterOutsideVisibleAsciiMakesTheQueryMalformed(string query) => Assert.False(RequestTarget.TryParseQuery(query, out _), query);

    [Fact]
    public void AnEmptyQueryHasNoValues()
    {
        Assert.True(RequestTarget.TryParseQuery("", out IReadOnlyDictionary<string, string> values));
        Assert.Empty(values);
    }

    [Theory]
    [InlineData("key=secret-key-1", "key=***")]
    [InlineData("x=1&token=abc&expires=2", "x=1&token=***&expires=2")]
    [InlineData("%6Bey=secret-key-1", "%6Bey=***")] // a name the parser reads as key is masked as key
    [InlineData("to%6ben=abc&x=%zz", "to%6ben=***&x=%zz")]
    [InlineData("%zz=secret", "%zz=***")] // a name that does not decode is masked
    [InlineData("keys=1&key", "keys=1&key")]
    public void MaskHidesEveryValueThatAReaderWouldTakeForASecret(string query, string expected) =>
        Assert.Equal(expected, RequestTarget.MaskQuery(query, "key", "token"));
}
