using System.Globalization;
using MediaServer.Tests.Infrastructure;
using MediaServer.Tests.Media;

namespace MediaServer.Tests.Server;

public sealed class ChunkEndpointTests(ServerFixture server) : IClassFixture<ServerFixture>, IDisposable
{
    public void Dispose() => server.Logs.AssertNoFaults();

    private async Task<RawResponse> GetAsync(string target)
    {
        using RawHttpConnection connection = await RawHttpConnection.ConnectAsync(server.HttpEndPoint);
        await connection.SendAsync(RawHttpConnection.Request("GET", target));
        return await connection.ReadResponseAsync();
    }

    private static long RangeStart(RawResponse response) =>
        long.Parse(response.Header("Content-Range").Split(' ', '-')[1], CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("00:00:00:00", 0)]
    [InlineData("00:00:30:00", 30)]
    [InlineData("00:00:30:24", 30)]
    [InlineData("00:00:31:00", 31)]
    [InlineData("00:00:59:24", 59)]
    public async Task AnMp4TimecodeStartsAtTheKeyframeFfprobeReports(string timecode, int keyframeSecond)
    {
        byte[] file = MediaFiles.Bytes(MediaFiles.Mp4);
        List<(double Time, long Position)> keyframes = await FfprobeKeyframes.ReadAsync(MediaFiles.PathOf(MediaFiles.Mp4));
        (double time, long position) = keyframes.Last(k => k.Time <= keyframeSecond + 0.001);

        int length = (int)Math.Min(65536, file.Length - position); // The last keyframe is close to the end.

        RawResponse response = await GetAsync($"/videos/clip.mp4/chunk?t={timecode}&size=65536");

        Assert.Equal(206, response.Status);
        Assert.Equal($"bytes {position}-{position + length - 1}/{file.Length}", response.Header("Content-Range"));
        Assert.Equal(time, double.Parse(response.Header("X-Keyframe-Time"), CultureInfo.InvariantCulture), 3);
        Assert.Equal(file.AsSpan((int)position, length).ToArray(), response.Body);
    }

    [Fact]
    public async Task ATransportStreamGopByTimecodeDecodesOnItsOwn()
    {
        byte[] file = MediaFiles.Bytes(MediaFiles.TransportStream);
        RawResponse probe = await GetAsync("/videos/clip.ts/chunk?t=00:00:11:00&size=188");
        long next = RangeStart(probe);
        RawResponse chunk = await GetAsync($"/videos/clip.ts/chunk?t=00:00:10:00&size={next - RangeStart(await GetAsync("/videos/clip.ts/chunk?t=00:00:10:00&size=188"))}");
        long start = RangeStart(chunk);

        Assert.Equal(206, chunk.Status);
        Assert.Equal(file.AsSpan((int)start, (int)(next - start)).ToArray(), chunk.Body);

        // One whole GOP that starts with PAT and PMT: a decoder needs nothing before it.
        ToolResult decode = await ExternalTool.RunAsync("ffmpeg", ["-hide_banner", "-nostdin", "-v", "warning", "-f", "mpegts", "-i", "pipe:0", "-f", "null", "-"], TimeSpan.FromSeconds(60), chunk.Body);
        decode.AssertClean();
    }

    [Fact]
    public async Task AChunkStopsAtTheEndOfTheFile()
    {
        long size = new FileInfo(MediaFiles.PathOf(MediaFiles.Mp4)).Length;
        RawResponse response = await GetAsync("/videos/clip.mp4/chunk?t=00:00:59:00&size=67108864");

        Assert.Equal(206, response.Status);
        Assert.EndsWith($"-{size - 1}/{size}", response.Header("Content-Range"));
        Assert.Equal(size - RangeStart(response), response.Body.Length);
    }

    [Theory]
    [InlineData("/videos/clip.mp4/chunk?t=00:00:30&size=10", 400)]
    [InlineData("/videos/clip.mp4/chunk?t=00:00:30:25&size=10", 400)] // frame 25 at 25 fps
    [InlineData("/videos/clip.mp4/chunk?t=00:00:30:00", 400)] // no size
    [InlineData("/videos/clip.mp4/chunk?t=00:00:30:00&size=0", 400)]
    [InlineData("/videos/clip.mp4/chunk?t=00:00:30:00&size=-5", 400)]
    [InlineData("/videos/clip.mp4/chunk?t=00:00:30:00&size=67108865", 400)] // above 64 MiB
    [InlineData("/videos/clip.mp4/chunk?t=00:00:30:00&t=00:00:31:00&size=10", 400)]
    [InlineData("/videos/clip.mp4/chunk?size=10", 400)]
    [InlineData("/videos/clip.mp4/chunk?t=00:01:00:00&size=10", 416)] // the end of a 60 s video
    [InlineData("/videos/clip.mp4/chunk?t=10:00:00:00&size=10", 416)]
    [InlineData("/videos/missing.mp4/chunk?t=00:00:00:00&size=10", 404)]
    public async Task BadChunkRequestsGetTheRightStatus(string target, int status)
    {
        RawResponse response = await GetAsync(target);

        Assert.Equal(status, response.Status);
        if (status == 416)
        {
            Assert.Equal($"bytes */{new FileInfo(MediaFiles.PathOf(MediaFiles.Mp4)).Length}", response.Header("Content-Range"));
        }
    }

    [Fact]
    public async Task APercentEncodedTimecodeWorksToo()
    {
        RawResponse plain = await GetAsync("/videos/clip.mp4/chunk?t=00:00:12:05&size=100");
        RawResponse encoded = await GetAsync("/videos/clip.mp4/chunk?t=00%3A00%3A12%3A05&size=100");

        Assert.Equal(plain.Header("Content-Range"), encoded.Header("Content-Range"));
    }
}
