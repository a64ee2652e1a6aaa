using System.Net;
using System.Net.Sockets;
using MediaServer.AccessControl;
using MediaServer.Cli;
using MediaServer.Diagnostics;
using MediaServer.Endpoints;
using MediaServer.Hosting;
using MediaServer.Http;
using MediaServer.Live;
using MediaServer.Live.Hls;
using MediaServer.Media;
using Microsoft.Extensions.Logging;

namespace MediaServer;

/// <summary>
/// The running server: the media library in its caches, the live channels, the HTTP front on one port and the raw
/// MPEG-TS ingest on another. Started by <see cref="StartAsync"/>; <see cref="DisposeAsync"/> stops accepting, ends
/// every publisher and connection, and frees the caches.
/// </summary>
internal sealed class MediaServerHost : IAsyncDisposable
{
    private readonly HttpServer _http;
    private readonly TcpIngestListener _ingest;
    private readonly SrtIngestListener? _srt;
    private readonly PrometheusMetrics? _metrics;
    private readonly CancellationTokenSource _stopping;

    private MediaServerHost(MediaLibrary library, LiveChannelRegistry channels, HttpServer http, TcpIngestListener ingest, SrtIngestListener? srt, PrometheusMetrics? metrics, CancellationTokenSource stopping)
    {
        _srt = srt;
        _stopping = stopping;
        Library = library;
        Channels = channels;
        _http = http;
        _ingest = ingest;
        _metrics = metrics;
    }

    public MediaLibrary Library { get; }

    /// <summary>The HTTP limits in force: the options' limits, with the connection budget capped below <see cref="DescriptorLimit"/>.</summary>
    public HttpLimits Limits { get; private init; } = new();

    /// <summary>Whether each video and live channel needs a signed URL (<see cref="MediaServerOptions.ViewerSecret"/>).</summary>
    public bool ViewersNeedSignedUrls { get; private init; }

    /// <summary>The memory budget the videos and the live rings share.</summary>
    public MemoryBudget Memory { get; private init; } = new(0);

    /// <summary>The process's file descriptor limit after raising it to the hard limit; <see langword="null"/> when unknown.</summary>
    public long? DescriptorLimit { get; private init; }

    public LiveChannelRegistry Channels { get; }

    /// <summary>The HTTP endpoint actually bound.</summary>
    public IPEndPoint HttpEndPoint => _http.LocalEndPoint;

    /// <summary>Where Prometheus scrapes the server's metrics, when <see cref="MediaServerOptions.MetricsPort"/> is set.</summary>
    public Uri? MetricsUri => _metrics?.Endpoint;

    /// <summary>The raw MPEG-TS ingest endpoint actually bound (channel <c>live</c>).</summary>
    public IPEndPoint IngestEndPoint => _ingest.LocalEndPoint;

    /// <summary>The SRT ingest's UDP endpoint; <see langword="null"/> when off (no <c>--srt-port</c>) or libsrt is missing.</summary>
    public IPEndPoint? SrtEndPoint => _srt?.LocalEndPoint;

    /// <summary>The SRT publishers connected now; 0 when the SRT ingest is off.</summary>
    public int SrtPublisherCount => _srt?.PublisherCount ?? 0;

    /// <summary>Why the SRT ingest asked for is off (libsrt is not installed); <see langword="null"/> otherwise.</summary>
    public string? SrtUnavailable { get; private init; }

    /// <summary>The most connections the raw ingest holds at once.</summary>
    public int IngestMaxConnections => _ingest.MaxConnections;

    /// <summary>The HTTP connections being served right now.</summary>
    public int ConnectionCount => _http.ConnectionCount;

    /// <summary>The page's URL, e.g. <c>http://127.0.0.1:8080/</c>.</summary>
    public Uri BaseUri => new($"http://{HttpEndPoint}/");

    /// <summary>Where to push raw MPEG-TS, e.g. <c>tcp://127.0.0.1:9000</c>.</summary>
    public Uri IngestUri => new($"tcp://{IngestEndPoint}");

    /// <summary>Binds the listeners, loads the media and starts serving.</summary>
    /// <exception cref="DirectoryNotFoundException">The media folder does not exist.</exception>
    /// <exception cref="IOException">A port cannot be bound (the message names the address and port), or a video cannot be read.</exception>
    public static async Task<MediaServerHost> StartAsync(MediaServerOptions options, ILoggerFactory loggerFactory, CancellationToken cancellationToken = default)
    {
        ILogger logger = loggerFactory.CreateLogger("MediaServer");
        ILogger liveLogger = loggerFactory.CreateLogger("MediaServer.Live");
        // Descriptors first: a connection budget above the process's limit would turn a burst of clients into EMFILE.
        // The runtime's timer thread starts on first use; start it now, while descriptors are plentiful, since a thread
        // that cannot start under EMFILE would fail every later timeout.
        await Task.Delay(1, cancellationToken).ConfigureAwait(false);
        long? descriptorLimit = Hosting.DescriptorLimit.RaiseToHardLimit();
        (int httpConnections, int ingestConnections) = Hosting.DescriptorLimit.SplitConnections(
            options.Limits.MaxConnections, TcpIngestListener.DefaultMaxConnections, descriptorLimit, Hosting.DescriptorLimit.OpenCount());
        HttpLimits limits = options.Limits with { MaxConnections = httpConnections };
        var memory = new MemoryBudget(options.MemoryBudget ?? (options.CacheSize + (options.MaxChannels * options.LiveBufferSize)));
        var storage = new MediaStorage(options.MapMemory, options.LockMedia);

        // The ports first: one in use is reported, with its address, before any video loads.
        Socket? httpListener = null, ingestListener = null;
        SrtIngestListener? srt = null;
        string? srtUnavailable = null;
        MediaLibrary? library = null;
        HttpServer? http = null;
        var stopping = new CancellationTokenSource();
        try
        {
            httpListener = TcpAcceptor.Listen(new IPEndPoint(options.Host, options.Port));
            ingestListener = TcpAcceptor.Listen(new IPEndPoint(options.Host, options.IngestPort));
            var credentials = new PublishCredentials(options.PublishAuth.IsRequiredOn(options.Host), options.StreamKeys, options.PublishSecret);
            var channels = new LiveChannelRegistry(storage.RingCapacity(options.LiveBufferSize), options.MaxChannels, options.MaxChannelsPerAddress, memory, credentials, storage.LiveMemory);
            if (options.SrtPort is { } srtPort)
            {
                // Bound now, so a port in use is reported before the videos load; publishers are taken once Start runs.
                srt = SrtIngestListener.TryListen(new IPEndPoint(options.Host, srtPort), options.SrtLatency, options.SrtPassphrase, options.IngestIdleTimeout, channels, liveLogger, out srtUnavailable);
                if (srtUnavailable is not null)
                {
                    ServerLog.SrtUnavailable(logger, srtUnavailable);
                }
            }

            library = await MediaLibrary.LoadAsync(options.MediaDirectory ?? MediaServerOptions.BundledMediaDirectory, Math.Min(options.CacheSize, memory.Total), storage, logger, cancellationToken).ConfigureAwait(false);
            bool reserved = memory.TryReserve(library.TotalSize);
            System.Diagnostics.Debug.Assert(reserved, "the library loads within the budget");
            var hls = new HlsChannels(options.Hls, liveLogger, stopping.Token);
            var body = new CacheBody(options.CopySlices);
            var router = new Router(
                new PageEndpoint(),
                new VideoListEndpoint(library),
                new VideoFileEndpoint(library, body),
                new VideoChunkEndpoint(library, body),
                new VideoPlaylistEndpoint(library),
                new LiveListEndpoint(channels, hls),
                new LiveViewEndpoint(channels, liveLogger),
                new LivePublishEndpoint(channels, liveLogger),
                new HlsEndpoint(channels, hls));
            IHttpHandler handler = options.ViewerSecret is { } viewerSecret ? new SignedViewerGate(router, viewerSecret) : router;
            http = new HttpServer(httpListener, handler, limits, loggerFactory.CreateLogger("MediaServer.Http"));
            httpListener = null; // The server owns it now.
            var ingest = new TcpIngestListener(ingestListener, channels, options.IngestIdleTimeout, ingestConnections, liveLogger);
            ingestListener = null;
            PrometheusMetrics? metrics = options.MetricsPort is { } metricsPort ? PrometheusMetrics.Start(options.Host, metricsPort) : null;
            http.Start();
            ingest.Start();
            srt?.Start();
            return new MediaServerHost(library, channels, http, ingest, srt, metrics, stopping)
            {
                Limits = limits, DescriptorLimit = descriptorLimit, Memory = memory, ViewersNeedSignedUrls = options.ViewerSecret is not null, SrtUnavailable = srtUnavailable,
            };
        }
        catch
        {
            stopping.Dispose();
            httpListener?.Dispose();
            ingestListener?.Dispose();
            if (srt is not null)
            {
                await srt.DisposeAsync().ConfigureAwait(false);
            }

            if (http is not null)
            {
                await http.DisposeAsync().ConfigureAwait(false);
            }

            library?.Dispose();
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

    /// <summary>
    /// Stops in the order that keeps every cache's rules: the raw and SRT publishers first (it completes its channel), then the
    /// HTTP connections (PUT publishers complete theirs, viewers leave and release their readers), then the videos.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        await _ingest.DisposeAsync().ConfigureAwait(false);
        if (_srt is not null)
        {
            await _srt.DisposeAsync().ConfigureAwait(false);
        }

        await _http.DisposeAsync().ConfigureAwait(false);
        await _stopping.CancelAsync().ConfigureAwait(false); // The HLS segmenters of channels that are gone.
        _stopping.Dispose();
        _metrics?.Dispose();
        Library.Dispose();
    }
}
