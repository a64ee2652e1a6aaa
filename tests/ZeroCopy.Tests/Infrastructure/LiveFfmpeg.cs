using System.Diagnostics;

namespace ZeroCopy.Tests.Infrastructure;

/// <summary>Runs the real ffmpeg and ffprobe (installed by ./build.sh test), never a mock.</summary>
internal static class LiveFfmpeg
{
    public static async Task<(int ExitCode, string Output, string Errors)> RunAsync(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{tool} did not start");
        }
        catch (System.ComponentModel.Win32Exception error)
        {
            throw new InvalidOperationException($"{tool} is not installed; ./build.sh test installs it (apt-get install ffmpeg).", error);
        }

        using (process)
        {
            Task<string> output = process.StandardOutput.ReadToEndAsync();
            Task<string> errors = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(timeout.Token);
            return (process.ExitCode, await output, await errors);
        }
    }

    /// <summary>A few seconds of H.264 and AAC in MPEG-TS, one keyframe a second, as a live encoder would send it.</summary>
    public static async Task<byte[]> EncodeTestStreamAsync(string directory, int seconds)
    {
        string path = Path.Combine(directory, "source.ts");
        var (exitCode, _, errors) = await RunAsync(
            "ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=160x120:rate=25", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
            "-t", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture), "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-c:a", "aac",
            "-f", "mpegts", "-y", path);
        Assert.True(exitCode == 0, $"ffmpeg failed ({exitCode}): {errors}");
        return await File.ReadAllBytesAsync(path);
    }
}
