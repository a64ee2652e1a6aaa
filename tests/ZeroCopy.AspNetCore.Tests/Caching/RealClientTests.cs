using MediaServer.Tests.Infrastructure;
using ZeroCopy.AspNetCore.Tests.Infrastructure;

namespace ZeroCopy.AspNetCore.Tests.Caching;

/// <summary>curl and ffprobe against the result on real Kestrel: what users' clients see.</summary>
public class RealClientTests(VideoServerFixture server) : IClassFixture<VideoServerFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task CurlGetsARangeAcrossASegmentBoundaryByteForByte()
    {
        string file = Path.GetTempFileName();
        try
        {
            const int From = VideoServerFixture.SegmentSize - 100;
            const int To = (2 * VideoServerFixture.SegmentSize) + 100;
            ToolResult curl = await ExternalTool.RunAsync("curl", ["-sS", "-r", $"{From}-{To}", "-o", file, "-w", "%{http_code}", server.App.Url("/video")], Timeout);

            Assert.Equal(0, curl.ExitCode);
            Assert.Equal("206", curl.StandardOutput);
            byte[] body = await File.ReadAllBytesAsync(file);
            Assert.True(server.Expected.AsSpan(From, To - From + 1).SequenceEqual(body), "curl's bytes differ");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task CurlHeadShowsTheRangeHeaders()
    {
        ToolResult curl = await ExternalTool.RunAsync("curl", ["-sS", "-I", server.App.Url("/video")], Timeout);

        Assert.Equal(0, curl.ExitCode);
        Assert.Contains("HTTP/1.1 200 OK", curl.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("Accept-Ranges: bytes", curl.StandardOutput, StringComparison.OrdinalIgnoreCase);
        Assert.Contains($"Content-Length: {VideoServerFixture.VideoSize}", curl.StandardOutput, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task CurlPastTheEndGets416()
    {
        ToolResult curl = await ExternalTool.RunAsync("curl", ["-sS", "-o", "/dev/null", "-w", "%{http_code}", "-r", $"{VideoServerFixture.VideoSize}-", server.App.Url("/video")], Timeout);

        Assert.Equal("416", curl.StandardOutput);
    }

    [Fact]
    public async Task FfprobeReadsTheClipOverHttp()
    {
        ToolResult probe = await ExternalTool.RunAsync(
            "ffprobe",
            ["-v", "error", "-show_entries", "stream=codec_type", "-of", "csv=p=0", server.App.Url("/clip.ts")],
            Timeout);

        probe.AssertClean();
        Assert.Contains("video", probe.StandardOutput, StringComparison.Ordinal);
    }
}
