using System.Diagnostics;
using MediaServer.Http;
using ZeroCopy;
using ZeroCopy.Samples;

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
        Validators = new Validators(FileValidators.EntityTag(cache.Capacity, lastModified), FileValidators.LastModified(lastModified));
        Playlist = index is null ? null : VodPlaylist.TryCreate(name, cache.Capacity, index, FileValidators.EntityTag(cache.Capacity, lastModified, "-hls"));
        PlaylistValidators = Playlist is null ? null : new Validators(Playlist.ETag, Validators.LastModified);
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

    /// <summary>
    /// The file's <c>ETag</c> and <c>Last-Modified</c>, by the recipe every sample shares (<see cref="FileValidators"/>):
    /// the ASP.NET Core sample gives the same file the same ones.
    /// </summary>
    public Validators Validators { get; }

    /// <summary>The playlist's validators: its own tag (the file's with <c>-hls</c>) and the file's date; <see langword="null"/> without a playlist.</summary>
    public Validators? PlaylistValidators { get; }

    public void Dispose() => Cache.Dispose();
}
