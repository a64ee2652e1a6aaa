using System.Globalization;

namespace ZeroCopy.Samples;

/// <summary>
/// The one recipe of the validators (RFC 9110 section 8.8) of a video served from a file, shared by every HTTP sample,
/// so that the media server and the ASP.NET Core sample give the same file the same <c>ETag</c> and
/// <c>Last-Modified</c>, and a client that switches between them revalidates instead of downloading again.
/// </summary>
internal static class FileValidators
{
    /// <summary>
    /// <c>Last-Modified</c> of a file: its last write time in UTC at whole seconds, the only precision an HTTP date has,
    /// so that the value sent and the value the date conditions compare with are the same. O(1).
    /// </summary>
    /// <param name="lastWrite">The file's last write time.</param>
    /// <returns>The time, truncated to the second, in UTC.</returns>
    public static DateTimeOffset LastModified(DateTimeOffset lastWrite) =>
        DateTimeOffset.FromUnixTimeSeconds(lastWrite.ToUnixTimeSeconds());

    /// <summary>
    /// The strong entity tag of a file: <c>"size-mtime"</c>, the size in bytes and the last write time in whole Unix
    /// seconds, both in lowercase hexadecimal (<c>"a71de-683c40c0"</c>), then <paramref name="variant"/> for a
    /// representation derived from the file (the media server's <c>-hls</c> playlist), so that the two never share a tag.
    /// </summary>
    /// <remarks>
    /// Strong, because a file of the same size and second is taken to hold the same bytes (nginx's default tag makes the
    /// same bet, with the two numbers the other way round: <c>"mtime-size"</c>).
    /// </remarks>
    /// <param name="size">The file's length in bytes.</param>
    /// <param name="lastWrite">The file's last write time; only its whole seconds count.</param>
    /// <param name="variant">A suffix naming a derived representation; empty for the file itself.</param>
    /// <returns>The quoted tag, as the <c>ETag</c> field carries it.</returns>
    public static string EntityTag(long size, DateTimeOffset lastWrite, string variant = "") =>
        string.Create(CultureInfo.InvariantCulture, $"\"{size:x}-{lastWrite.ToUnixTimeSeconds():x}{variant}\"");
}
