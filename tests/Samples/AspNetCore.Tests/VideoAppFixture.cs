using AspNetCoreSample;
using Microsoft.AspNetCore.Builder;

namespace AspNetCore.Tests;

/// <summary>
/// The sample's app on 127.0.0.1 and a free port, serving one 3 MiB seeded random video from a temporary media
/// folder in 1 MiB segments (so ranges cross segment boundaries); stopped when the test class ends.
/// </summary>
public sealed class VideoAppFixture : IAsyncLifetime
{
    public const string VideoName = "clip.ts";
    public const int VideoSize = 3 * 1024 * 1024;
    public const int SegmentSize = 1024 * 1024;

    private readonly string _media = Directory.CreateTempSubdirectory("zerocopy-aspnetcore-").FullName;
    private WebApplication _app = null!;

    public byte[] Expected { get; } = new byte[VideoSize];

    public HttpClient Client { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        new Random(42).NextBytes(Expected);
        await File.WriteAllBytesAsync(Path.Combine(_media, VideoName), Expected);
        _app = await VideoApp.BuildAsync(["--urls", "http://127.0.0.1:0", "--media", _media, "--segment-size", $"{SegmentSize}"]);
        await _app.StartAsync();
        Client = new HttpClient { BaseAddress = new Uri(_app.Urls.Single()), Timeout = TimeSpan.FromSeconds(10) };
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Directory.Delete(_media, recursive: true);
    }
}
