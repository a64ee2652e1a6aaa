using System.CommandLine;
using System.Net;
using System.Runtime.InteropServices;
using MediaServer.AccessControl;
using MediaServer.Endpoints;
using MediaServer.Hosting;
using MediaServer.Http;
using MediaServer.Live;
using MediaServer.Media;
using Microsoft.Extensions.Logging;

namespace MediaServer.Cli;

/// <summary>
/// <c>MediaServer [options]</c>, the root command: load the videos, serve them and the live channels, print the URLs, and
/// stop in order on Ctrl+C or SIGTERM.
/// </summary>
internal static class ServeCommand
{
    /// <summary>The root command with the server's options (<see cref="ServeOptions"/>) and serving as its action.</summary>
    public static RootCommand Create()
    {
        var options = new ServeOptions();
        var root = new RootCommand("ZeroCopy media server: HTTP range and timecode seeks over videos held in VideoCache, live MPEG-TS channels fanned out from LiveCache, and a player page. Stop with Ctrl+C.")
        {
            options.Host, options.Port, options.IngestPort, options.SrtPort, options.SrtLatency, options.SrtPassphraseFile, options.Media, options.CacheSize, options.LiveBuffer, options.LiveBufferTime, options.LiveMaxBitRate,
            options.MaxChannels, options.MaxChannelsPerAddress, options.MemoryBudget, options.MaxConnections, options.MaxConnectionsPerAddress, options.FirstRequestTimeout,
            options.PublishAuth, options.StreamKeys, options.StreamKey, options.PublishSecretFile, options.ViewerSecretFile, options.LogLevel, options.Memory,
            options.LockMedia, options.MetricsPort, options.CopySlices,
        };
        root.SetAction((result, cancellationToken) => RunAsync(result, options, cancellationToken));
        return root;
    }

    private static async Task<int> RunAsync(ParseResult result, ServeOptions options, CancellationToken cancellationToken)
    {
        // The ring's size from --live-buffer or --live-buffer-time, checked once each option has parsed.
        if (!LiveBufferSizing.TryResolve(result.GetValue(options.LiveBuffer), result.GetValue(options.LiveBufferTime), result.GetValue(options.LiveMaxBitRate), out long ringSize, out string? sizeError))
        {
            await Console.Error.WriteLineAsync($"MediaServer: {sizeError}");
            await Console.Error.WriteLineAsync("Run 'MediaServer --help' for usage.");
            return ZeroCopy.Samples.CommandLineRunner.UsageError;
        }

        MediaServerOptions serverOptions;
        try
        {
            serverOptions = ToServerOptions(result, options, ringSize);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            await Console.Error.WriteLineAsync($"MediaServer: cannot start: {e.Message}");
            return 1;
        }

        using ILoggerFactory loggerFactory = LoggerFactory.Create(logging => logging
            .SetMinimumLevel(result.GetValue(options.LogLevel))
            .AddSimpleConsole(console =>
            {
                console.SingleLine = true;
                console.TimestampFormat = "HH:mm:ss.fff ";
            }));

        // Ctrl+C (SIGINT) and SIGTERM start an orderly stop; the process exits once it is done.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using PosixSignalRegistration sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using PosixSignalRegistration sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            if (!stop.IsCancellationRequested)
            {
                Console.WriteLine("Stopping…");
                stop.Cancel();
            }
        }

        bool started = false;
        try
        {
            long bitRate = result.GetValue(options.LiveMaxBitRate) ?? LiveBufferSizing.DefaultMaxBitRate;
            await MediaServerHost.RunAsync(serverOptions, loggerFactory, server => { started = true; PrintUrls(server, bitRate); }, stop.Token);
        }
        catch (Exception e) when (e is DirectoryNotFoundException or System.Net.Sockets.SocketException or IOException or HttpListenerException)
        {
            // Only a failure before serving is a failure to start; one while stopping is reported as what it is.
            await Console.Error.WriteLineAsync(started ? $"MediaServer: stopped with an error: {e.Message}" : $"MediaServer: cannot start: {e.Message}");
            return 1;
        }

        Console.WriteLine("MediaServer stopped.");
        return 0;
    }

    /// <summary>The host's options from the parsed command line, reading the stream keys and the secrets from their files.</summary>
    /// <exception cref="IOException">A stream-key or secret file cannot be read.</exception>
    /// <exception cref="UnauthorizedAccessException">A stream-key or secret file may not be read.</exception>
    /// <exception cref="InvalidDataException">A stream key is malformed or a secret too short.</exception>
    private static MediaServerOptions ToServerOptions(ParseResult result, ServeOptions options, long ringSize)
    {
        Dictionary<string, string> keys = result.GetValue(options.StreamKeys) is { } keyFile
            ? PublishCredentials.ParseStreamKeys(File.ReadLines(keyFile.FullName), keyFile.Name)
            : new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string pair in result.GetValue(options.StreamKey) ?? [])
        {
            foreach ((string channel, string key) in PublishCredentials.ParseStreamKeys([string.Join(' ', pair.Split('=', 2))], "--stream-key"))
            {
                keys[channel] = key;
            }
        }

        byte[]? secret = result.GetValue(options.PublishSecretFile) is { } secretFile ? SecretFile.Read(secretFile) : null;
        byte[]? viewerSecret = result.GetValue(options.ViewerSecretFile) is { } viewerFile ? SecretFile.Read(viewerFile) : null;
        return new MediaServerOptions
        {
            Host = result.GetValue(options.Host)!,
            Port = result.GetValue(options.Port),
            IngestPort = result.GetValue(options.IngestPort),
            SrtPort = result.GetValue(options.SrtPort),
            SrtLatency = TimeSpan.FromMilliseconds(result.GetValue(options.SrtLatency)),
            SrtPassphrase = result.GetValue(options.SrtPassphraseFile) is { } passphraseFile ? SecretFile.ReadSrtPassphrase(passphraseFile) : null,
            MediaDirectory = result.GetValue(options.Media),
            CacheSize = result.GetValue(options.CacheSize),
            LiveBufferSize = ringSize,
            MaxChannels = result.GetValue(options.MaxChannels),
            MaxChannelsPerAddress = result.GetValue(options.MaxChannelsPerAddress),
            MemoryBudget = result.GetValue(options.MemoryBudget),
            PublishAuth = result.GetValue(options.PublishAuth),
            StreamKeys = keys,
            PublishSecret = secret,
            ViewerSecret = viewerSecret,
            CopySlices = result.GetValue(options.CopySlices),
            MapMemory = result.GetValue(options.Memory) == "mapped",
            MetricsPort = result.GetValue(options.MetricsPort),
            LockMedia = result.GetValue(options.LockMedia),
            Limits = new HttpLimits
            {
                MaxConnections = result.GetValue(options.MaxConnections),
                MaxConnectionsPerAddress = result.GetValue(options.MaxConnectionsPerAddress),
                FirstRequestTimeout = TimeSpan.FromSeconds(result.GetValue(options.FirstRequestTimeout)),
            },
        };
    }

    private static void PrintUrls(MediaServerHost server, long bitRate)
    {
        Console.WriteLine($"MediaServer serving {server.Library.Videos.Count} video(s), {ByteSize.Format(server.Library.TotalSize)} in memory:");
        foreach (Video video in server.Library.Videos)
        {
            Console.WriteLine($"  {server.BaseUri}{Routes.Video.Path(video.Name)[1..]}  ({ByteSize.Format(video.Size)}, {video.Index?.ToString() ?? "not indexed"})");
            if (video.Playlist is { } playlist)
            {
                Console.WriteLine($"  {server.BaseUri}{Routes.VideoPlaylist.Path(video.Name)[1..]}  ({playlist})");
            }
        }

        Console.WriteLine($"Page:   {server.BaseUri}");
        Console.WriteLine($"Videos: {server.BaseUri}{Routes.VideoList.Path()[1..]}");
        Console.WriteLine($"Live:   push MPEG-TS to {server.IngestUri} (or PUT {server.BaseUri}{Routes.Channel.Subject("NAME")[1..]}), watch {server.BaseUri}{Routes.Channel.Path(ChannelName.TcpIngest)[1..]}");
        if (server.SrtEndPoint is { } srt)
        {
            Console.WriteLine($"        SRT: srt://{srt}?streamid=NAME (OBS: Settings > Stream > Custom; add ?key=KEY to NAME when publishing needs a key)");
        }

        long ring = server.Channels.RingCapacity;
        Console.WriteLine($"        each channel's ring: {ByteSize.Format(ring)}, {TimeLength.Format(LiveBufferSizing.TimeHeld(ring, bitRate))} at {BitRate.Format(bitRate)} (the HLS window and the time-shift reach)");
        string descriptors = server.DescriptorLimit is { } limit ? $"descriptor limit {limit}" : "descriptor limit unknown";
        PublishCredentials credentials = server.Channels.Credentials;
        Console.WriteLine(!credentials.IsRequired
            ? "Publish: open to anyone who reaches the ports (--publish-auth; required by default beyond loopback)"
            : credentials.StreamKeyCount == 0 && !credentials.AcceptsTokens
                ? "Publish: CLOSED, a credential is required and none is configured (--stream-keys, --stream-key, --publish-secret-file)"
                : $"Publish: stream key or signed token required ({credentials.StreamKeyCount} stream key(s), signed tokens {(credentials.AcceptsTokens ? "accepted" : "not configured")})");
        Console.WriteLine(server.ViewersNeedSignedUrls ? "View:   each video and channel needs a signed URL (--viewer-secret-file)" : "View:   videos and channels are public (--viewer-secret-file signs them)");
        Console.WriteLine($"Memory: {ByteSize.Format(server.Memory.Total)} budget for videos and live rings, {ByteSize.Format(server.Memory.Used)} taken by the videos");
        Console.WriteLine($"Limits: at most {server.Limits.MaxConnections} connections ({descriptors}), {server.Limits.MaxConnectionsPerAddress} per client address; raw ingest {server.IngestMaxConnections}");
        if (server.MetricsUri is { } metrics)
        {
            Console.WriteLine($"Metrics: {metrics} (Prometheus)");
        }

        Console.WriteLine("Press Ctrl+C to stop.");
    }
}
