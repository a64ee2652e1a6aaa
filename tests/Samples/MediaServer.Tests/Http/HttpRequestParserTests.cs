using System.Text;
using MediaServer.Http;

namespace MediaServer.Tests.Http;

public sealed class HttpRequestParserTests
{
    private static readonly HttpLimits s_limits = new() { MaxRequestLineLength = 256, MaxHeadSize = 1024, MaxHeaderCount = 10 };

    private static HttpParseResult Parse(string text, HttpLimits? limits = null) => HttpRequestParser.Parse(Encoding.Latin1.GetBytes(text), limits ?? s_limits);

    [Fact]
    public void ParsesRequestLineAndFields()
    {
        const string head = "GET /videos/clip.mp4?x=1&y=2 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nRange:  bytes=0-99 \r\nX-Empty:\r\n\r\n";
        HttpParseResult result = Parse(head);

        Assert.Equal(HttpParseStatus.Complete, result.Status);
        Assert.Equal(head.Length, result.HeadLength);
        HttpRequest request = result.Request!;
        Assert.Equal("GET", request.Method);
        Assert.Equal("/videos/clip.mp4?x=1&y=2", request.Target);
        Assert.Equal("/videos/clip.mp4", request.Path);
        Assert.Equal("x=1&y=2", request.Query);
        Assert.True(request.IsHttp11);
        Assert.True(request.KeepAlive);
        Assert.False(request.HasBody);
        Assert.Equal("bytes=0-99", request.GetHeader("range"));
        Assert.Equal(string.Empty, request.GetHeader("X-Empty"));
        Assert.Null(request.GetHeader("Missing"));
    }

    [Fact]
    public void IsIncompleteUntilTheBlankLineArrivesByteByByte()
    {
        byte[] head = "HEAD / HTTP/1.1\r\nHost: a\r\n\r\n"u8.ToArray();
        for (int length = 0; length < head.Length; length++)
        {
            Assert.Equal(HttpParseStatus.Incomplete, HttpRequestParser.Parse(head.AsSpan(0, length), s_limits).Status);
        }

        Assert.Equal(HttpParseStatus.Complete, HttpRequestParser.Parse(head, s_limits).Status);
    }

    [Fact]
    public void HeadLengthStopsAtTheBlankLineSoPipelinedBytesRemain()
    {
        const string first = "GET /a HTTP/1.1\r\nHost: a\r\n\r\n";
        HttpParseResult result = Parse(first + "GET /b HTTP/1.1\r\nHost: a\r\n\r\n");

        Assert.Equal(first.Length, result.HeadLength);
        Assert.Equal("/a", result.Request!.Target);
    }

    [Fact]
    public void EmptyLinesBeforeTheRequestLineAreSkipped()
    {
        HttpParseResult result = Parse("\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n");

        Assert.Equal(HttpParseStatus.Complete, result.Status);
        Assert.Equal(4 + 27, result.HeadLength);
    }

    [Theory]
    [InlineData("GET / HTTP/1.0\r\n\r\n", false)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, close\r\n\r\n", false)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nConnection: Keep-Alive\r\n\r\n", true)]
    public void KeepAliveFollowsVersionAndConnection(string head, bool keepAlive) => Assert.Equal(keepAlive, Parse(head).Request!.KeepAlive);

    [Theory]
    [InlineData("GET /\r\n\r\n", 400)] // no version
    [InlineData("GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400)] // two spaces
    [InlineData("GET / HTTP/1.1 \r\nHost: a\r\n\r\n", 400)] // trailing space
    [InlineData("GET http://a/ HTTP/1.1\r\nHost: a\r\n\r\n", 400)] // absolute form
    [InlineData("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", 400)] // asterisk form
    [InlineData("G(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400)] // method is not a token
    [InlineData("GET / HTTX/1.1\r\nHost: a\r\n\r\n", 400)] // not HTTP
    [InlineData("GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505)]
    [InlineData("GET / HTTP/1.1\r\n\r\n", 400)] // no Host
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400)]
    [InlineData("GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400)] // space before colon
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n  folded\r\n\r\n", 400)] // obsolete folding
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n", 400)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX: a\0b\r\n\r\n", 400)] // NUL in a value
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX: a\nb\r\n\r\n", 400)] // bare LF in a value
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: abc\r\n\r\n", 400)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", 400)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 6\r\n\r\n", 400)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", 400)]
    [InlineData("PUT / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", 400)] // smuggling
    [InlineData("PUT / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400)]
    [InlineData("PUT / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501)]
    public void RejectsMalformedHeadsWithTheRightStatus(string head, int status)
    {
        HttpParseResult result = Parse(head);

        Assert.Equal(HttpParseStatus.Invalid, result.Status);
        Assert.Equal(status, result.ErrorStatus);
        Assert.False(string.IsNullOrEmpty(result.Error));
    }

    [Fact]
    public void RejectsGarbageAsSoonAsItsFirstBadByteArrives()
    {
        byte[] tlsClientHello = [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xFC, 0x03, 0x03];
        HttpParseResult result = HttpRequestParser.Parse(tlsClientHello, s_limits);

        Assert.Equal(HttpParseStatus.Invalid, result.Status);
        Assert.Equal(HttpStatus.BadRequest, result.ErrorStatus);
    }

    [Fact]
    public void AcceptsIdenticalContentLengthsAndChunked()
    {
        Assert.Equal(5, Parse("PUT /live/a HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\n").Request!.ContentLength);
        HttpRequest chunked = Parse("PUT /live/a HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n").Request!;
        Assert.True(chunked.IsChunked);
        Assert.True(chunked.HasBody);
    }

    [Fact]
    public void ARequestLineLongerThanTheLimitIs414EvenBeforeItEnds()
    {
        string longTarget = "/" + new string('a', s_limits.MaxRequestLineLength);
        Assert.Equal(HttpStatus.UriTooLong, Parse($"GET {longTarget} HTTP/1.1\r\nHost: a\r\n\r\n").ErrorStatus);
        Assert.Equal(HttpStatus.UriTooLong, Parse($"GET {longTarget}").ErrorStatus);
    }

    [Fact]
    public void AHeadLargerThanTheLimitIs431WithOrWithoutItsEnd()
    {
        string field = "X-Big: " + new string('b', 200) + "\r\n";
        string fields = string.Concat(Enumerable.Repeat(field, 6));
        Assert.Equal(HttpStatus.HeaderFieldsTooLarge, Parse("GET / HTTP/1.1\r\nHost: a\r\n" + fields + "\r\n").ErrorStatus);
        Assert.Equal(HttpStatus.HeaderFieldsTooLarge, Parse("GET / HTTP/1.1\r\nHost: a\r\n" + fields).ErrorStatus);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void AHeadThatFillsTheBufferAfterEmptyLinesIs431(int emptyLines)
    {
        // The empty lines count toward the limit: they take room in the same buffer as the head.
        string prefix = string.Concat(Enumerable.Repeat("\r\n", emptyLines)) + "GET / HTTP/1.1\r\nHost: a\r\n";
        string head = prefix + "X-Fill: " + new string('f', s_limits.MaxHeadSize - prefix.Length - "X-Fill: ".Length);
        Assert.Equal(s_limits.MaxHeadSize, head.Length);

        Assert.Equal(HttpStatus.HeaderFieldsTooLarge, Parse(head).ErrorStatus);
        Assert.Equal(HttpStatus.HeaderFieldsTooLarge, Parse(head[..^2] + "\r\n\r\n").ErrorStatus);
    }

    [Fact]
    public void MoreFieldsThanTheLimitIs431()
    {
        string fields = string.Concat(Enumerable.Range(0, s_limits.MaxHeaderCount).Select(i => $"X-{i}: {i}\r\n"));
        Assert.Equal(HttpStatus.HeaderFieldsTooLarge, Parse("GET / HTTP/1.1\r\nHost: a\r\n" + fields + "\r\n").ErrorStatus);
    }
}
