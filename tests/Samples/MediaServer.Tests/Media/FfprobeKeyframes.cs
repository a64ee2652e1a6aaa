using System.Globalization;
using MediaServer.Tests.Infrastructure;

namespace MediaServer.Tests.Media;

/// <summary>The keyframes ffprobe reports for a file's first video stream: presentation time and byte position.</summary>
internal static class FfprobeKeyframes
{
    public static async Task<List<(double Time, long Position)>> ReadAsync(string path)
    {
        ToolResult result = await ExternalTool.RunAsync("ffprobe",
            ["-v", "error", "-select_streams", "v:0", "-show_entries", "packet=pts_time,pos,flags", "-of", "csv=p=0", path],
            TimeSpan.FromSeconds(60));
        result.AssertClean();

        var keyframes = new List<(double, long)>();
        double? first = null;
        foreach (string line in result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] fields = line.Split(',');
            double time = double.Parse(fields[0], CultureInfo.InvariantCulture);
            first ??= time;
            if (fields[2].StartsWith('K'))
            {
                keyframes.Add((time - first.Value, long.Parse(fields[1], CultureInfo.InvariantCulture)));
            }
        }

        return keyframes;
    }
}
