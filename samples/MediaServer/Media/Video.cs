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
        ETag = string.Create(CultureInfo.InvariantCulture, $"\"{cache.Capacity:x}-{lastModified.ToUnixTimeSeconds():x}\"");
    }

    /// <summary>The file name, which is the name clients ask for.</summary>
    public string Name { get; }

    /// <summary>The video's bytes; the video owns the cache.</summary>
    public VideoCache Cache { get; }

    public long Size => Cache.Capacity;

    public string ContentType { get; }

    /// <summary>The keyframe index for timecode seeks, or <see langword="null"/> when the container could not be indexed.</summary>
    public KeyframeIndex? Index { get; }

    /// <summary>Last-Modified, as an IMF-fixdate.</summary>
    public string LastModified { get; }

    /// <summary>A strong entity tag from the size and modification time.</summary>
    public string ETag { get; }

    public void Dispose() => Cache.Dispose();

    private static string HttpDateFormat(DateTimeOffset time) => Http.HttpDate.Format(time);
}
