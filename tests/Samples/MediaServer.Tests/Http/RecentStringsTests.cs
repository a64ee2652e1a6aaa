using System.Text;
using MediaServer.Http;

namespace MediaServer.Tests.Http;

public sealed class RecentStringsTests
{
    [Fact]
    public void TheSameBytesGiveTheSameStringAndOtherBytesAnotherOne()
    {
        var strings = new RecentStrings();
        string first = strings.Get("/videos/clip.mp4"u8);

        Assert.Equal("/videos/clip.mp4", first);
        Assert.Same(first, strings.Get("/videos/clip.mp4"u8));
        Assert.Same(first, strings.Get("/videos/clip.mp4".AsSpan()));
        Assert.Equal("/videos/clip.mp5", strings.Get("/videos/clip.mp5"u8));
        Assert.NotSame(first, strings.Get("/videos/CLIP.mp4"u8));
    }

    [Fact]
    public void BytesAboveAsciiAreReadAsLatin1()
    {
        var strings = new RecentStrings();
        Assert.Equal("caf\u00e9", strings.Get(new byte[] { (byte)'c', (byte)'a', (byte)'f', 0xE9 }));
    }

    [Fact]
    public void AValueThatChangesEveryTimeNeverPushesOutOneThatRepeats()
    {
        // As a seeking player sends them: the same target and host, another Range each request.
        var strings = new RecentStrings();
        string target = strings.Get("/videos/clip.mp4"u8);
        string host = strings.Get("127.0.0.1"u8);
        for (int i = 0; i < 1000; i++)
        {
            Assert.Same(target, strings.Get("/videos/clip.mp4"u8));
            Assert.Same(host, strings.Get("127.0.0.1"u8));
            Assert.Equal($"bytes={i}-", strings.Get(Encoding.ASCII.GetBytes($"bytes={i}-")));
        }
    }

    [Fact]
    public void AParserThatReusesARequestRefillsItAndCutsThePathOfANewTargetAgain()
    {
        var limits = new HttpLimits();
        var strings = new RecentStrings();
        var reuse = new HttpRequest();

        HttpRequest first = HttpRequestParser.Parse("GET /videos/a.mp4?t=1 HTTP/1.1\r\nHost: x\r\nRange: bytes=0-\r\n\r\n"u8, limits, reuse, strings).Request!;
        Assert.Same(reuse, first);
        Assert.Equal(("/videos/a.mp4", "t=1", "bytes=0-"), (first.Path, first.Query, first.GetHeader("Range")));
        string path = first.Path;

        HttpRequest again = HttpRequestParser.Parse("GET /videos/a.mp4?t=1 HTTP/1.1\r\nHost: x\r\n\r\n"u8, limits, reuse, strings).Request!;
        Assert.Same(path, again.Path);
        Assert.Null(again.GetHeader("Range"));
        Assert.Single(again.Headers);

        HttpRequest reload = HttpRequestParser.Parse("GET /videos/a.mp4?t=2 HTTP/1.1\r\nHost: x\r\n\r\n"u8, limits, reuse, strings).Request!;
        Assert.Equal("t=2", reload.Query);
        Assert.Same(path, reload.Path); // Another query, the same path: the router finds its last match by reference.

        HttpRequest other = HttpRequestParser.Parse("HEAD /videos/b.mp4 HTTP/1.0\r\n\r\n"u8, limits, reuse, strings).Request!;
        Assert.Equal(("HEAD", "/videos/b.mp4", "/videos/b.mp4", "", false), (other.Method, other.Target, other.Path, other.Query, other.IsHttp11));
        Assert.Empty(other.Headers);
    }
}
