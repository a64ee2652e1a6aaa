using System.Diagnostics;
using System.Globalization;
using ZeroCopy;

namespace MediaServer.Media;

/// <summary>
/// One video of the library: its bytes in a <see cref="VideoCache"/> (loaded once, never touched again by the file
/// system), its media type, validators for conditional range requests, and its keyframe index when one could be built.
/// </summary>
[DebuggerDisplay("{Name,nq} ({Size} bytes)")]
internal sealed class Video : IDisposable
{
    public Video(string name, VideoCache cache, string contentType, DateTimeOffset lastModified, KeyframeIndex? index)
    {
        Name = name;
        Cache = cache;
        ContentType = contentType;
        Index = index;
        LastModified = HttpDateFormat(lastModified);
        ETag = EntityTag(cache.Capacity, lastModified, "");
        Playlist = index is null ? null : VodPlaylist.TryCreate(name, cache.Capacity, index, EntityTag(cache.Capacity, lastModified, "-hls"));
    }

    /// <summary>The file name, which is the name clients ask for.</summary>
    public string Name { get; }

    /// <summary>The video's bytes; the video owns the cache.</summary>
    public VideoCache Cache { get; }

    public long Size => Cache.Capacity;

    public string ContentType { get; }

    /// <summary>The keyframe index for timecode seeks, or <see langword="null"/> when the container could not be indexed.</summary>
    public KeyframeIndex? Index { get; }

    /// <summary>
    /// The HLS playlist of an indexed MPEG-TS video (byte ranges of this video), rendered once here; <see langword="null"/>
    /// for other videos.
    /// </summary>
    public VodPlaylist? Playlist { get; }

    /// <summary>Last-Modified, as an IMF-fixdate; the playlist's too.</summary>
    public string LastModified { get; }

    /// <summary>A strong entity tag from the size and modification time.</summary>
    public string ETag { get; }

    public void Dispose() => Cache.Dispose();

    /// <summary>
    /// The one recipe of the videos' strong entity tags: size and modification time, and <paramref name="variant"/> for a
    /// representation derived from the file (<c>-hls</c>: its playlist), so that the two never share a tag.
    /// </summary>
    private static string EntityTag(long size, DateTimeOffset lastModified, string variant) =>
        string.Create(CultureInfo.InvariantCulture, $"\"{size:x}-{lastModified.ToUnixTimeSeconds():x}{variant}\"");

    private static string HttpDateFormat(DateTimeOffset time) => Http.HttpDate.Format(time);
}
