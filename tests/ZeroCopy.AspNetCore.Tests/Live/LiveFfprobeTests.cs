using MediaServer.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using ZeroCopy.AspNetCore.Tests.Infrastructure;

namespace ZeroCopy.AspNetCore.Tests.Live;

public sealed class LiveFfprobeTests
{
    [Fact]
    public async Task FfprobeJoinsALiveMpegTsChannelAtASyncPoint()
    {
        using var live = new LiveCache(new LiveCacheOptions { Capacity = 8 * 1024 * 1024, SegmentSize = 1024 * 1024, SyncPointDetector = new MpegTsSyncPointDetector() });
        await using KestrelApp app = await KestrelApp.StartAsync(endpoints => endpoints.MapGet("/live", () => LiveCacheResults.Stream(live, "video/mp2t")));
        byte[] clip = await File.ReadAllBytesAsync(Path.Combine(AppContext.BaseDirectory, "media", "clip.ts"));

        // The viewer joins mid-stream: the first half is already published, so its reader starts at a keyframe with PAT/PMT.
        int half = clip.Length / 2 / 188 * 188;
        live.Write(clip.AsSpan(0, half));
        using RunningTool probe = ExternalTool.Start("ffprobe", ["-v", "error", "-show_entries", "stream=codec_type", "-of", "csv=p=0", app.Url("/live")]);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (live.ReaderCount == 0 && !timeout.IsCancellationRequested)
        {
            await Task.Delay(20);
        }

        for (int offset = half; offset < clip.Length; offset += 188 * 50)
        {
            live.Write(clip.AsSpan(offset, Math.Min(188 * 50, clip.Length - offset)));
            await Task.Delay(1);
        }

        live.Complete();
        ToolResult result = await probe.WaitAsync(TimeSpan.FromSeconds(30));

        result.AssertClean();
        Assert.Contains("video", result.StandardOutput, StringComparison.Ordinal);
        app.Logs.AssertNoFaults();
    }
}
