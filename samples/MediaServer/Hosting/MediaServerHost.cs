using System.Net;
using MediaServer.Endpoints;
using MediaServer.Http;
using MediaServer.Media;
using Microsoft.Extensions.Logging;

namespace MediaServer.Hosting;

/// <summary>
/// The running server: the media library in its caches, the HTTP front on one port and the MPEG-TS ingest on another.
/// Started by <see cref="StartAsync"/>; <see cref="DisposeAsync"/> stops accepting, ends every connection and frees the caches.
/// </summary>
internal sealed class MediaServerHost : IAsyncDisposable
{
    private readonly HttpServer _http;

    private MediaServerHost(MediaServerOptions options, MediaLibrary library, HttpServer http)
    {
        Options = options;
        Library = library;
        _http = http;
    }

    public MediaServerOptions Options { get; }

    public MediaLibrary Library { get; }

    /// <summary>The HTTP endpoint actually bound.</summary>
    public IPEndPoint HttpEndPoint => _http.LocalEndPoint;

    /// <summary>The HTTP connections being served right now.</summary>
    public int ConnectionCount => _http.ConnectionCount;

    /// <summary>The page's URL, e.g. <c>http://127.0.0.1:8080/</c>.</summary>
    public Uri BaseUri => new($"http://{FormatHost(HttpEndPoint)}/");

    /// <summary>Loads the media, binds the listeners and starts serving.</summary>
    /// <exception cref="DirectoryNotFoundException">The media folder does not exist.</exception>
    /// <exception cref="System.Net.Sockets.SocketException">A port cannot be bound.</exception>
    public static async Task<MediaServerHost> StartAsync(MediaServerOptions options, ILoggerFactory loggerFactory, CancellationToken cancellationToken = default)
    {
        ILogger logger = loggerFactory.CreateLogger("MediaServer");
        MediaLibrary library = await MediaLibrary.LoadAsync(options.MediaDirectory ?? MediaServerOptions.BundledMediaDirectory, options.CacheSize, logger, cancellationToken).ConfigureAwait(false);
        try
        {
            var body = new CacheBody(options.CopySlices);
            var router = new Router(
                new PageEndpoint(),
                new VideoListEndpoint(library),
                new VideoFileEndpoint(library, body),
                new VideoChunkEndpoint(library, body));
            var http = new HttpServer(new IPEndPoint(options.Host, options.Port), router, options.Limits, loggerFactory.CreateLogger("MediaServer.Http"));
            http.Start();
            return new MediaServerHost(options, library, http);
        }
        catch
        {
            library.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Starts the server, reports it through <paramref name="started"/>, serves until <paramref name="cancellationToken"/>
    /// is canceled (Ctrl+C on the command line, the end of a test class), then stops it cleanly.
    /// </summary>
    public static async Task RunAsync(MediaServerOptions options, ILoggerFactory loggerFactory, Action<MediaServerHost>? started, CancellationToken cancellationToken)
    {
        MediaServerHost host = await StartAsync(options, loggerFactory, cancellationToken).ConfigureAwait(false);
        await using (host.ConfigureAwait(false))
        {
            started?.Invoke(host);
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Asked to stop: fall through to the orderly shutdown.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _http.DisposeAsync().ConfigureAwait(false);
        Library.Dispose();
    }

    /// <summary><c>host:port</c> with IPv6 addresses bracketed.</summary>
    public static string FormatHost(IPEndPoint endPoint) => endPoint.ToString();
}
