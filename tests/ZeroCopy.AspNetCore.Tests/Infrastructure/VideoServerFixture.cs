using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace ZeroCopy.AspNetCore.Tests.Infrastructure;

/// <summary>
/// Kestrel serving <see cref="VideoCacheResults"/>: a 100,000-byte seeded random video in 16 KiB segments (so ranges
/// cross segment boundaries) at <c>/video</c> with an ETag and a Last-Modified, a sub-range of it at <c>/part</c>, a
/// 32 MiB video at <c>/large</c>, an empty one at <c>/empty</c>, and the media server's real MPEG-TS clip at <c>/clip.ts</c>.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "xunit disposes it through IAsyncLifetime.DisposeAsync")]
public sealed class VideoServerFixture : IAsyncLifetime
{
    public const int VideoSize = 100_000;
    public const int SegmentSize = 16 * 1024;
    public const long PartOffset = 1000;
    public const long PartLength = 50_000;
    public const int LargeSize = 32 * 1024 * 1024;

    public static readonly EntityTagHeaderValue ETag = new("\"v1\"");

    /// <summary>Deliberately not on a whole second: HTTP dates are, so the result compares at seconds.</summary>
    public static readonly DateTimeOffset LastModified = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero).AddMilliseconds(678);

    private readonly VideoCache _video = new(VideoSize, SegmentSize);
    private readonly VideoCache _large = new(LargeSize, 1024 * 1024);
    private readonly VideoCache _empty = new(0, VideoCache.MinSegmentSize);
    private VideoCache _clip = null!;

    public byte[] Expected { get; } = new byte[VideoSize];

    public KestrelApp App { get; private set; } = null!;

    public HttpClient Client => App.Client;

    public async ValueTask InitializeAsync()
    {
        new Random(42).NextBytes(Expected);
        _video.Write(0, Expected);
        _large.Write(0, new byte[LargeSize]);
        _clip = await VideoCache.LoadFileAsync(Path.Combine(AppContext.BaseDirectory, "media", "clip.ts"), 64 * 1024);
        string[] getAndHead = [HttpMethods.Get, HttpMethods.Head];
        App = await KestrelApp.StartAsync(endpoints =>
        {
            endpoints.MapMethods("/video", getAndHead, () => VideoCacheResults.Range(_video, "video/mp2t", ETag, LastModified));
            endpoints.MapMethods("/part", getAndHead, () => VideoCacheResults.Range(_video, PartOffset, PartLength, "application/octet-stream"));
            endpoints.MapGet("/large", () => VideoCacheResults.Range(_large, "application/octet-stream"));
            endpoints.MapGet("/empty", () => VideoCacheResults.Range(_empty, "application/octet-stream"));
            endpoints.MapGet("/clip.ts", () => VideoCacheResults.Range(_clip, "video/mp2t"));
        });
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        _video.Dispose();
        _large.Dispose();
        _empty.Dispose();
        _clip.Dispose();
    }
}
