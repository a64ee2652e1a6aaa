using System.Globalization;
using System.Reflection;
using ZeroCopy;

namespace AspNetCoreSample;

/// <summary>Builds the sample's web application: the video library, the endpoints and the defaults.</summary>
public static partial class VideoApp
{
    /// <summary>Where the app listens when neither <c>--urls</c> nor <c>ASPNETCORE_URLS</c> says otherwise.</summary>
    public const string DefaultUrl = "http://127.0.0.1:5080";

    /// <summary>What <c>--help</c> prints.</summary>
    public const string Usage = """
        Serves every file of a media folder from ZeroCopy.VideoCache over HTTP, with range requests (seeking).

        Usage: AspNetCoreSample [options]

        Options:
          --media DIR              Folder whose files are served (a video's name is its file name).
                                   Default: ../MediaServer/media or samples/MediaServer/media, if present.
          --urls URL               Where to listen. Default http://127.0.0.1:5080 (also read from ASPNETCORE_URLS).
          --segment-size BYTES     Segment size of each cache: a power of two, 4096 to 1073741824. Default 67108864.
          --results-stream true    For load comparisons only: serve with Results.Stream (two copies) instead of
                                   ZeroCopy.AspNetCore's VideoCacheResults (one copy).
          --version                Print the version of the ZeroCopy library and exit.
          -h, --help               Print this help and exit.

        Every other ASP.NET Core configuration key works too, as --key value.
        """;

    /// <summary>The ZeroCopy library's informational version, for <c>--version</c>.</summary>
    public static string LibraryVersion =>
        typeof(VideoCache).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    /// <summary>
    /// Creates the application from command-line arguments (<c>--media DIR</c>, <c>--urls URL</c>,
    /// <c>--segment-size BYTES</c>, <c>--results-stream true</c>, and every other ASP.NET Core configuration key) and
    /// loads the media folder.
    /// </summary>
    /// <param name="args">The command-line arguments.</param>
    /// <param name="cancellationToken">Cancels loading the media.</param>
    /// <returns>The application, ready to start; disposing it disposes the caches.</returns>
    public static async Task<WebApplication> BuildAsync(string[] args, CancellationToken cancellationToken = default)
    {
        WebApplicationBuilder builder = WebApplication.CreateBuilder(args);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning); // no line per request
        if (string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        string? media = FindMediaFolder(builder.Configuration["media"], builder.Environment.ContentRootPath);
        int segmentSize = builder.Configuration.GetValue("segment-size", VideoCache.DefaultSegmentSize);
        VideoLibrary library = media is null
            ? VideoLibrary.Empty
            : await VideoLibrary.LoadDirectoryAsync(media, segmentSize, cancellationToken).ConfigureAwait(false);

        // A factory registration: the container owns the library and disposes it (and its caches) with the app,
        // after the server has stopped and no request can still be reading a cache.
        builder.Services.AddSingleton(_ => library);

        WebApplication app = builder.Build();
        app.MapVideos(resultsStream: builder.Configuration.GetValue<bool>("results-stream"));

        if (media is null)
        {
            LogNoMedia(app.Logger);
        }
        else
        {
            string folder = Path.GetFullPath(media);
            LogServing(app.Logger, library.Videos.Count, folder);
        }

        return app;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "No media folder found (tried --media, ../MediaServer/media and samples/MediaServer/media): serving no videos")]
    private static partial void LogNoMedia(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Serving {Count} video(s) from {Media}")]
    private static partial void LogServing(ILogger logger, int count, string media);

    /// <summary>The folder named by <c>--media</c>, else the media server sample's folder if it exists.</summary>
    private static string? FindMediaFolder(string? configured, string contentRoot)
    {
        if (!string.IsNullOrEmpty(configured))
        {
            return Directory.Exists(configured)
                ? configured
                : throw new DirectoryNotFoundException(string.Create(CultureInfo.InvariantCulture, $"--media {configured}: no such folder"));
        }

        string[] defaults =
        [
            Path.Combine(contentRoot, "..", "MediaServer", "media"),
            Path.Combine(contentRoot, "samples", "MediaServer", "media"),
        ];
        return defaults.FirstOrDefault(Directory.Exists);
    }
}
