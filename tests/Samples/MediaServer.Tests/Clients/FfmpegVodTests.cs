using System.Globalization;
using MediaServer.Tests.Infrastructure;

namespace MediaServer.Tests.Clients;

/// <summary>ffprobe, ffmpeg and mpv, the real clients, reading and seeking the videos over HTTP.</summary>
public sealed class FfmpegVodTests(ServerFixture server) : IClassFixture<ServerFixture>, IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    public void Dispose() => server.Logs.AssertNoFaults();

    [Theory]
    [InlineData(MediaFiles.Mp4, 60.0)]
    [InlineData(MediaFiles.TransportStream, 30.0)]
    public async Task FfprobeReadsTheVideoOverHttp(string name, double duration)
    {
        ToolResult probe = await ExternalTool.RunAsync("ffprobe",
            ["-v", "error", "-show_entries", "format=duration:stream=codec_name", "-of", "default=nw=1", $"{server.BaseUri}videos/{name}"], s_timeout);

        probe.AssertClean();
        Assert.Contains("codec_name=h264", probe.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("codec_name=aac", probe.StandardOutput, StringComparison.Ordinal);
        string durationLine = probe.StandardOutput.Split('\n').Single(line => line.StartsWith("duration=", StringComparison.Ordinal));
        Assert.Equal(duration, double.Parse(durationLine["duration=".Length..], CultureInfo.InvariantCulture), 0);
    }

    [Theory]
    [InlineData(MediaFiles.Mp4, 30)]
    [InlineData(MediaFiles.Mp4, 55)]
    [InlineData(MediaFiles.TransportStream, 20)]
    public async Task FfmpegSeeksAndDecodesCleanly(string name, int seconds)
    {
        ToolResult seek = await ExternalTool.RunAsync("ffmpeg",
            ["-hide_banner", "-nostdin", "-ss", seconds.ToString(CultureInfo.InvariantCulture), "-i", $"{server.BaseUri}videos/{name}", "-frames:v", "1", "-f", "null", "-"], s_timeout);

        seek.AssertClean();
        await server.Logs.AssertLoggedAsync(entry => entry.Message.StartsWith($"GET /videos/{name} -> 206", StringComparison.Ordinal), "a range request of the video");
    }

    [Fact]
    public async Task FfmpegDecodesTheWholeMp4WithoutAnError()
    {
        ToolResult decode = await ExternalTool.RunAsync("ffmpeg",
            ["-hide_banner", "-nostdin", "-v", "warning", "-i", $"{server.BaseUri}videos/clip.mp4", "-f", "null", "-"], s_timeout);

        decode.AssertClean();
    }

    [Fact]
    public async Task FfmpegDecodesTheTransportStreamsHlsPlaylistWithoutAnError()
    {
        ToolResult decode = await ExternalTool.RunAsync("ffmpeg",
            ["-hide_banner", "-nostdin", "-v", "error", "-i", $"{server.BaseUri}videos/clip.ts/index.m3u8", "-f", "null", "-"], s_timeout);

        decode.AssertClean();
        Assert.Empty(decode.StandardError);
        await server.Logs.AssertLoggedAsync(entry => entry.Message.StartsWith("GET /videos/clip.ts/index.m3u8 -> 200", StringComparison.Ordinal), "the playlist");
        await server.Logs.AssertLoggedAsync(entry => entry.Message.StartsWith("GET /videos/clip.ts -> 206", StringComparison.Ordinal), "a segment as a range request of the video");
    }

    [Fact]
    public async Task FfprobeSeekingTheHlsPlaylistTo20SecondsStartsAtTheKeyframeBeforeIt()
    {
        // The clip's time stamps start at 1.423 s (ffmpeg's muxing delay), its keyframes one second apart: the seek targets
        // 20 s of the stream's clock, and the first frame decoded must be the keyframe at or before it.
        ToolResult probe = await ExternalTool.RunAsync("ffprobe",
            ["-v", "error", "-read_intervals", "20%+#1", "-select_streams", "v", "-show_entries", "frame=pts_time,key_frame", "-of", "csv=p=0",
             $"{server.BaseUri}videos/clip.ts/index.m3u8"], s_timeout);

        probe.AssertClean();
        string[] first = probe.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)[0].Split(',');
        double pts = double.Parse(first[1], CultureInfo.InvariantCulture);
        Assert.Equal("1", first[0]); // a keyframe
        Assert.InRange(pts, 20 - 1.0 - 0.04, 20.0); // within one keyframe interval (1 s, plus a frame) before the target
    }

    [Theory]
    [InlineData(0)]
    [InlineData(20)]
    public async Task MpvPlaysTheTransportStreamsHlsPlaylistToItsEndWithoutAnError(int start)
    {
        // As fast as it decodes (no clock, a null audio device that does not keep time); errors of any module are printed
        // with the module's name, the player's own lines at info. Untimed playback reports an A-V desynchronisation: not an error.
        ToolResult play = await ExternalTool.RunAsync("mpv",
            ["--no-config", "--ytdl=no", "--vo=null", "--ao=null", "--ao-null-untimed", "--untimed", "--msg-level=all=error,cplayer=info",
             $"--start={start}", $"{server.BaseUri}videos/clip.ts/index.m3u8"], s_timeout);

        string output = play.StandardOutput + play.StandardError;
        Assert.True(play.ExitCode == 0, $"mpv exited {play.ExitCode}:\n{output}");
        Assert.Contains("Video --vid=1 (h264", output, StringComparison.Ordinal);
        Assert.Contains("Exiting... (End of file)", output, StringComparison.Ordinal);
        Assert.DoesNotContain(output.Split('\n'), line => line.StartsWith('['));
    }
}
