namespace MediaServer.Media;

/// <summary>The media types the server loads, by file extension.</summary>
internal static class ContentTypes
{
    private static readonly Dictionary<string, string> s_byExtension = new(StringComparer.OrdinalIgnoreCase)
    {
        [".mp4"] = "video/mp4",
        [".m4v"] = "video/mp4",
        [".mov"] = "video/quicktime",
        [".ts"] = "video/mp2t",
        [".m2ts"] = "video/mp2t",
        [".mts"] = "video/mp2t",
        [".webm"] = "video/webm",
        [".mkv"] = "video/x-matroska",
    };

    /// <summary>The media type of a file name, or <see langword="null"/> when it is not a video the server loads.</summary>
    public static string? ForFile(string fileName) => s_byExtension.GetValueOrDefault(Path.GetExtension(fileName));
}
