namespace MediaServer.Tests.Infrastructure;

/// <summary>The bundled sample media, copied next to the tests by the sample's project.</summary>
public static class MediaFiles
{
    public const string Mp4 = "clip.mp4";
    public const string TransportStream = "clip.ts";

    public static string Directory => Path.Combine(AppContext.BaseDirectory, "media");

    public static string PathOf(string name) => Path.Combine(Directory, name);

    public static byte[] Bytes(string name) => File.ReadAllBytes(PathOf(name));
}
