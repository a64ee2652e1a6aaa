namespace MediaServer.Tests.Infrastructure;

/// <summary>The bundled sample media, copied next to the tests by the sample's project.</summary>
public static class MediaFiles
{
    public const string Mp4 = "clip.mp4";
    public const string TransportStream = "clip.ts";

    public static string Directory => Path.Combine(AppContext.BaseDirectory, "media");

    public static string PathOf(string name) => Path.Combine(Directory, name);

    public static byte[] Bytes(string name) => File.ReadAllBytes(PathOf(name));

    /// <summary>Writes the first 10 s of the bundled transport stream as M2TS (192-byte packets) into <paramref name="directory"/>.</summary>
    /// <returns>The new file's path.</returns>
    public static async Task<string> WriteM2tsAsync(string directory)
    {
        string path = Path.Combine(directory, "clip.m2ts");
        (await ExternalTool.RunAsync("ffmpeg", ["-v", "error", "-i", PathOf(TransportStream), "-c", "copy", "-t", "10", "-f", "mpegts", "-mpegts_m2ts_mode", "1", path], TimeSpan.FromSeconds(60))).AssertClean();
        return path;
    }
}
