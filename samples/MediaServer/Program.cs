using System.CommandLine;
using System.CommandLine.Parsing;
using System.Net;
using System.Runtime.InteropServices;
using MediaServer;
using MediaServer.Http;
using MediaServer.Media;
using ZeroCopy.Samples;
using Microsoft.Extensions.Logging;

// The media server: videos by HTTP range and by timecode, live MPEG-TS channels, a player page. See README.md.
var host = new Option<IPAddress>("--host")
{
    Description = "Address to listen on (both ports). Default 127.0.0.1 (this machine only); 0.0.0.0 or :: exposes the server to the network.",
    DefaultValueFactory = _ => IPAddress.Loopback,
    CustomParser = result => ParseHost(result),
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
    Description = "Most HTTP connections served at once (viewers included); further ones are closed when accepted.",
    DefaultValueFactory = _ => 10_000,
    CustomParser = RangeParser.Between(1, 1_000_000),
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
    host, port, ingestPort, media, cacheSize, liveBuffer, liveBufferTime, liveMaxBitRate, maxChannels, maxConnections, logLevel, memory, lockMedia, metricsPort, copySlices,
};

root.Options.OfType<VersionOption>().Single().Action = new LibraryVersionAction();

root.SetAction(async (result, cancellationToken) =>
{
    // The ring's size from --live-buffer or --live-buffer-time, checked once each option has parsed.
    if (!LiveBufferSizing.TryResolve(result.GetValue(liveBuffer), result.GetValue(liveBufferTime), result.GetValue(liveMaxBitRate), out long ringSize, out string? sizeError))
    {
        await Console.Error.WriteLineAsync($"MediaServer: {sizeError}");
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
        CopySlices = result.GetValue(copySlices),
        MapMemory = result.GetValue(memory) == "mapped",
        MetricsPort = result.GetValue(metricsPort),
        LockMedia = result.GetValue(lockMedia),
        Limits = new HttpLimits { MaxConnections = result.GetValue(maxConnections) },
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

    try
    {
        long bitRate = result.GetValue(liveMaxBitRate) ?? LiveBufferSizing.DefaultMaxBitRate;
        await MediaServerHost.RunAsync(options, loggerFactory, server => PrintUrls(server, bitRate), stop.Token);
    }
    catch (Exception e) when (e is DirectoryNotFoundException or System.Net.Sockets.SocketException or IOException or HttpListenerException)
    {
        await Console.Error.WriteLineAsync($"MediaServer: cannot start: {e.Message}");
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

static IPAddress ParseHost(ArgumentResult result)
{
    string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "127.0.0.1";
    if (text.Equals("localhost", StringComparison.OrdinalIgnoreCase))
    {
        return IPAddress.Loopback;
    }

    if (IPAddress.TryParse(text, out IPAddress? address))
    {
        return address;
    }

    result.AddError($"--host '{text}' is not an IP address (use 127.0.0.1, ::1, 0.0.0.0 or ::)");
    return IPAddress.Loopback;
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
