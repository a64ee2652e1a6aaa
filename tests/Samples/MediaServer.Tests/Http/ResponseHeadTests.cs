using System.Text;
using MediaServer.Http;

namespace MediaServer.Tests.Http;

public sealed class ResponseHeadTests
{
    [Fact]
    public void WritesStatusLineStandardFieldsAndTheBlankLine()
    {
        var head = new ResponseHead();
        string text = Encoding.ASCII.GetString(head.Start(206).Add("Content-Length", 10).Add("Content-Range", "bytes 0-9/100").Finish().Span);

        Assert.StartsWith("HTTP/1.1 206 Partial Content\r\nDate: ", text);
        Assert.Contains("\r\nServer: " + ResponseHead.ServerName + "\r\n", text);
        Assert.EndsWith("\r\nContent-Length: 10\r\nContent-Range: bytes 0-9/100\r\n\r\n", text);
        Assert.Matches(@"Date: \w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT\r\n", text);
    }

    [Fact]
    public void StartForgetsThePreviousHead()
    {
        var head = new ResponseHead();
        head.Start(200).Add("X-First", "1").Finish();
        string text = Encoding.ASCII.GetString(head.Start(404).Finish().Span);

        Assert.StartsWith("HTTP/1.1 404 Not Found\r\n", text);
        Assert.DoesNotContain("X-First", text);
    }

    [Theory]
    [InlineData("a\r\nInjected: 1")]
    [InlineData("a\nb")]
    public void RefusesValuesThatWouldSplitTheResponse(string value) =>
        Assert.Throws<ArgumentException>(() => new ResponseHead().Start(200).Add("X", value));

    [Fact]
    public void RefusesToOverflowItsBuffer() =>
        Assert.Throws<InvalidOperationException>(() => new ResponseHead(128).Start(200).Add("X", new string('a', 200)));
}
