using System.CommandLine;
using System.CommandLine.Parsing;
using System.Net;
using System.Runtime.InteropServices;
using MediaServer;
using MediaServer.Http;
using MediaServer.Live;
using MediaServer.Media;
using ZeroCopy.Samples;
using Microsoft.Extensions.Logging;

// The media server: videos by HTTP range and by timecode, live MPEG-TS channels, a player page. See README.md.
var host = new Option<IPAddress>("--host")
{
    Description = "Address to listen on (both ports). Default 127.0.0.1 (this machine only); 0.0.0.0 or :: exposes the server to the network.",
    DefaultValueFactory = _ => IPAddress.Loopback,
    CustomParser = HostParser.Parse,
};
var port = new Option<int>("--port")
{
    Description = "HTTP port for the page, the videos and the live channels; 0 picks a free port (the actual one is printed).",
    DefaultValueFactory = _ => 8080,
    CustomParser = RangeParser.Between(0, 65535),
};
var ingestPort = new Option<int>("--ingest-port")
{
    Description = "TCP port that takes a raw MPEG-TS push for channel 'live' (ffmpeg ... -f mpegts tcp://127.0.0.1:PORT); 0 picks a free port.",
    DefaultValueFactory = _ => 9000,
    CustomParser = RangeParser.Between(0, 65535),
};
var media = new Option<string?>("--media")
{
    Description = "Folder whose videos (.mp4 .m4v .mov .ts .m2ts .mts .webm .mkv) are served. Default: the bundled sample media.",
};
var cacheSize = new Option<long>("--cache-size")
{
    Description = "Most bytes of video loaded into memory, with K, M, G suffixes (512M, 2G); videos that do not fit are skipped.",
    DefaultValueFactory = _ => 1L << 30,
    CustomParser = result => ParseSize(result),
};
var liveBuffer = new Option<long?>("--live-buffer")
{
    Description = "Ring size of each live channel, at least 64K. Default 32M (about 2 minutes at 2 Mbit/s). It is the HLS window and the time-shift reach; a viewer that falls a ring behind skips ahead to a keyframe.",
    CustomParser = result => ParseSize(result, minimum: LiveBufferSizing.MinimumSize),
};
var liveBufferTime = new Option<TimeSpan?>("--live-buffer-time")
{
    Description = "Ring size of each live channel as a time instead of --live-buffer: 90s, 30min, 2h, 1h30m or HH:MM:SS. A ring cannot grow, so it is sized at --live-max-bitrate: bytes = time x bit rate / 8 (30min at 8 Mbit/s is 1.68 GiB).",
    CustomParser = result => ParseTime(result),
};
var liveMaxBitRate = new Option<long?>("--live-max-bitrate")
{
    Description = "Highest bit rate a channel is expected to push, which sizes --live-buffer-time: 8M, 4500k, 20Mbps (bits per second; k, M, G are powers of 1000). Default 8M. A channel pushing more keeps less time.",
    CustomParser = result => ParseBitRate(result),
};
var maxChannels = new Option<int>("--max-channels")
{
    Description = "Most live channels at once (the TCP ingest's channel and PUT channels).",
    DefaultValueFactory = _ => 16,
    CustomParser = RangeParser.Between(1, 100_000),
};
var maxConnections = new Option<int>("--max-connections")
{
    Description = "Most HTTP connections served at once (viewers included); further ones are closed when accepted. Capped at the descriptor limit less 256 (the soft limit is first raised to the hard one); the value in force is printed at start.",
    DefaultValueFactory = _ => 10_000,
    CustomParser = RangeParser.Between(1, 1_000_000),
};
var maxConnectionsPerAddress = new Option<int>("--max-connections-per-address")
{
    Description = "Most HTTP connections served at once from one client address (an IPv6 /64 counts as one), so one client cannot take them all.",
    DefaultValueFactory = _ => 100,
    CustomParser = RangeParser.Between(1, 1_000_000),
};
var firstRequestTimeout = new Option<int>("--first-request-timeout")
{
    Description = "Seconds a new connection may stay silent before its first request; then it is closed (later requests on a keep-alive connection may wait 30 s).",
    DefaultValueFactory = _ => 5,
    CustomParser = RangeParser.Between(1, 3600),
};
var maxChannelsPerAddress = new Option<int>("--max-channels-per-address")
{
    Description = "Most live channels one client address publishes at once.",
    DefaultValueFactory = _ => 4,
    CustomParser = RangeParser.Between(1, 100_000),
};
var memoryBudget = new Option<long?>("--memory-budget")
{
    Description = "One memory budget for the videos (within --cache-size) and every live ring together, with K, M, G suffixes; a publisher whose ring does not fit is refused (503). Default: --cache-size + --max-channels x --live-buffer (1.5G).",
    CustomParser = result => ParseSize(result),
};
var publishAuth = new Option<PublishAuth>("--publish-auth")
{
    Description = "When publishing needs a stream key or a signed token: Auto (whenever --host is not loopback), Required, or Off (anyone who reaches the ports).",
    DefaultValueFactory = _ => PublishAuth.Auto,
};
var streamKeys = new Option<FileInfo?>("--stream-keys")
{
    Description = "File of stream keys, one 'CHANNEL KEY' per line (CHANNEL '*' for any channel, '#' comments); publishers present ?key=KEY (PUT) or a first line key=KEY (raw TCP).",
};
var streamKey = new Option<string[]>("--stream-key")
{
    Description = "A stream key as CHANNEL=KEY (repeatable; visible to other local users in the process list, prefer --stream-keys).",
    AllowMultipleArgumentsPerToken = false,
};
var publishSecretFile = new Option<FileInfo?>("--publish-secret-file")
{
    Description = "File holding the secret (at least 16 bytes) that signs publish tokens: ?expires=UNIX&token=base64url(HMAC-SHA256(secret, CHANNEL + newline + expires)); see the 'token' command. Default: tokens not accepted.",
};
var viewerSecretFile = new Option<FileInfo?>("--viewer-secret-file")
{
    Description = "File holding a secret (at least 16 bytes) that signs viewer URLs: when given, each video and live channel needs ?expires=UNIX&token=base64url(HMAC-SHA256(secret, '/videos/NAME' or '/live/NAME' + newline + expires)), else 403; see the 'token' command. Default: viewers need nothing.",
};
var logLevel = new Option<LogLevel>("--log-level")
{
    Description = "Least severe log level printed: Trace, Debug, Information (one line per request), Warning, Error, None.",
    DefaultValueFactory = _ => LogLevel.Information,
};
var memory = new Option<string>("--memory")
{
    Description = "Where videos and live rings live: 'mapped' (videos mapped from their files, rings in shared memory; every send is a sendfile(2); the default on Linux) or 'pinned' (videos loaded into pinned arrays; sends copy from them).",
    DefaultValueFactory = _ => OperatingSystem.IsLinux() ? "mapped" : "pinned",
};
memory.AcceptOnlyFromAmong("mapped", "pinned");
var lockMedia = new Option<bool>("--lock-media")
{
    Description = "With --memory mapped: read every video in at start and lock it in RAM, so it stays cached under memory pressure (needs a memory lock limit, ulimit -l, of the media's size).",
};
var metricsPort = new Option<int?>("--metrics-port")
{
    Description = "Serve /metrics in Prometheus format on this port of --host (9464 is the exporters' usual port). Default: off.",
    CustomParser = result => RangeParser.Between(1, 65535)(result),
};
var copySlices = new Option<bool>("--copy-slices")
{
    Description = "For load comparisons only: copy every slice into a buffer before sending it (the naive baseline).",
};
var root = new RootCommand("ZeroCopy media server: HTTP range and timecode seeks over videos held in VideoCache, live MPEG-TS channels fanned out from LiveCache, and a player page. Stop with Ctrl+C.")
{
    host, port, ingestPort, media, cacheSize, liveBuffer, liveBufferTime, liveMaxBitRate, maxChannels, maxChannelsPerAddress, memoryBudget, maxConnections, maxConnectionsPerAddress, firstRequestTimeout,
    publishAuth, streamKeys, streamKey, publishSecretFile, viewerSecretFile, logLevel, memory, lockMedia, metricsPort, copySlices,
};

root.Options.OfType<VersionOption>().Single().Action = new LibraryVersionAction();

// `MediaServer token SUBJECT --secret-file FILE`: a signed token, for the operator to hand out.
var tokenSubject = new Argument<string>("subject") { Description = "A channel name (a publish token, with --publish-secret-file's secret) or a viewer path /videos/NAME or /live/NAME (with --viewer-secret-file's)." };
var tokenSecretFile = new Option<FileInfo>("--secret-file") { Description = "The secret file the server was given for this kind of token.", Required = true };
var tokenValidFor = new Option<int>("--valid-for") { Description = "Seconds the token stays valid.", DefaultValueFactory = _ => 3600, CustomParser = RangeParser.Between(1, int.MaxValue) };
var tokenCommand = new Command("token", "Prints a signed token (expires=…&token=…): for a channel, to append to PUT /live/CHANNEL? or send as the raw TCP first line; for a path, to append to the viewer's URL.")
{
    tokenSubject, tokenSecretFile, tokenValidFor,
};
tokenCommand.SetAction(result =>
{
    string subject = result.GetValue(tokenSubject)!;
    string[] segments = subject.Split('/');
    if (!ChannelName.IsValid(subject) && segments is not ["", "videos" or "live", { Length: > 0 }])
    {
        Console.Error.WriteLine($"MediaServer: '{subject}' is neither a channel name nor /videos/NAME or /live/NAME");
        return 2;
    }

    try
    {
        byte[] secret = ReadSecret(result.GetValue(tokenSecretFile)!);
        Console.WriteLine(SignedToken.Sign(secret, subject, DateTimeOffset.UtcNow.AddSeconds(result.GetValue(tokenValidFor))));
        return 0;
    }
    catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
    {
        Console.Error.WriteLine($"MediaServer: {e.Message}");
        return 1;
    }
});
root.Subcommands.Add(tokenCommand);

root.SetAction(async (result, cancellationToken) =>
{
    // The ring's size from --live-buffer or --live-buffer-time, checked once each option has parsed.
    if (!LiveBufferSizing.TryResolve(result.GetValue(liveBuffer), result.GetValue(liveBufferTime), result.GetValue(liveMaxBitRate), out long ringSize, out string? sizeError))
    {
        await Console.Error.WriteLineAsync($"MediaServer: {sizeError}");
        return 1;
    }

    Dictionary<string, string> keys;
    byte[]? secret, viewerSecret;
    try
    {
        keys = result.GetValue(streamKeys) is { } keyFile
            ? PublishCredentials.ParseStreamKeys(File.ReadLines(keyFile.FullName), keyFile.Name)
            : new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string pair in result.GetValue(streamKey) ?? [])
        {
            foreach ((string channel, string key) in PublishCredentials.ParseStreamKeys([string.Join(' ', pair.Split('=', 2))], "--stream-key"))
            {
                keys[channel] = key;
            }
        }

        secret = result.GetValue(publishSecretFile) is { } secretFile ? ReadSecret(secretFile) : null;
        viewerSecret = result.GetValue(viewerSecretFile) is { } viewerFile ? ReadSecret(viewerFile) : null;
    }
    catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
    {
        await Console.Error.WriteLineAsync($"MediaServer: cannot start: {e.Message}");
        return 1;
    }

    var options = new MediaServerOptions
    {
        Host = result.GetValue(host)!,
        Port = result.GetValue(port),
        IngestPort = result.GetValue(ingestPort),
        MediaDirectory = result.GetValue(media),
        CacheSize = result.GetValue(cacheSize),
        LiveBufferSize = ringSize,
        MaxChannels = result.GetValue(maxChannels),
        MaxChannelsPerAddress = result.GetValue(maxChannelsPerAddress),
        MemoryBudget = result.GetValue(memoryBudget),
        PublishAuth = result.GetValue(publishAuth),
        StreamKeys = keys,
        PublishSecret = secret,
        ViewerSecret = viewerSecret,
        CopySlices = result.GetValue(copySlices),
        MapMemory = result.GetValue(memory) == "mapped",
        MetricsPort = result.GetValue(metricsPort),
        LockMedia = result.GetValue(lockMedia),
        Limits = new HttpLimits
        {
            MaxConnections = result.GetValue(maxConnections),
            MaxConnectionsPerAddress = result.GetValue(maxConnectionsPerAddress),
            FirstRequestTimeout = TimeSpan.FromSeconds(result.GetValue(firstRequestTimeout)),
        },
    };

    using ILoggerFactory loggerFactory = LoggerFactory.Create(logging => logging
        .SetMinimumLevel(result.GetValue(logLevel))
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
        long bitRate = result.GetValue(liveMaxBitRate) ?? LiveBufferSizing.DefaultMaxBitRate;
        await MediaServerHost.RunAsync(options, loggerFactory, server => { started = true; PrintUrls(server, bitRate); }, stop.Token);
    }
    catch (Exception e) when (e is DirectoryNotFoundException or System.Net.Sockets.SocketException or IOException or HttpListenerException)
    {
        // Only a failure before serving is a failure to start; one while stopping is reported as what it is.
        await Console.Error.WriteLineAsync(started ? $"MediaServer: stopped with an error: {e.Message}" : $"MediaServer: cannot start: {e.Message}");
        return 1;
    }

    Console.WriteLine("MediaServer stopped.");
    return 0;
});

// The signals are handled above, so that stopping waits for the server's orderly shutdown.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });

static void PrintUrls(MediaServerHost server, long bitRate)
{
    Console.WriteLine($"MediaServer serving {server.Library.Videos.Count} video(s), {ByteSize.Format(server.Library.TotalSize)} in memory:");
    foreach (Video video in server.Library.Videos)
    {
        Console.WriteLine($"  {server.BaseUri}videos/{Uri.EscapeDataString(video.Name)}  ({ByteSize.Format(video.Size)}, {video.Index?.ToString() ?? "not indexed"})");
    }

    Console.WriteLine($"Page:   {server.BaseUri}");
    Console.WriteLine($"Videos: {server.BaseUri}videos");
    Console.WriteLine($"Live:   push MPEG-TS to {server.IngestUri} (or PUT {server.BaseUri}live/NAME), watch {server.BaseUri}live/live");
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

// A length of time (90s, 30min, 1h30m, HH:MM:SS), checked in the parser like the sizes.
static TimeSpan? ParseTime(ArgumentResult result)
{
    string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
    if (!TimeLength.TryParse(text, out TimeSpan length))
    {
        result.AddError($"{(result.Parent as OptionResult)?.Option.Name} '{text}' is not a length of time (e.g. 90s, 30min, 2h, 1h30m, 00:30:00)");
        return null;
    }

    return length;
}

// A bit rate (8M, 4500k, 20Mbps), checked in the parser like the sizes.
static long? ParseBitRate(ArgumentResult result)
{
    string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
    if (!BitRate.TryParse(text, out long bitsPerSecond))
    {
        result.AddError($"{(result.Parent as OptionResult)?.Option.Name} '{text}' is not a bit rate in bits per second (e.g. 8M, 4500k, 20Mbps)");
        return null;
    }

    return bitsPerSecond;
}

static byte[] ReadSecret(FileInfo file)
{
    byte[] secret = System.Text.Encoding.UTF8.GetBytes(File.ReadAllText(file.FullName).Trim());
    return secret.Length >= 16 ? secret : throw new InvalidDataException($"{file.Name}: a token secret needs at least 16 bytes");
}

// A size with K, M, G suffixes, checked in the parser: a validator would throw on a value that did not parse.
static long ParseSize(ArgumentResult result, long minimum = 1)
{
    string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
    string option = (result.Parent as OptionResult)?.Option.Name ?? "the size";
    if (!ByteSize.TryParse(text, out long bytes) || bytes <= 0)
    {
        result.AddError($"{option} '{text}' is not a size in bytes (e.g. 1073741824, 512M, 2G)");
        return minimum;
    }

    if (bytes < minimum)
    {
        result.AddError($"{option} must be at least {ByteSize.Format(minimum)} (got {text})");
        return minimum;
    }

    return bytes;
}
