using System.CommandLine;
using System.Net;
using MediaServer.AccessControl;
using MediaServer.Hosting;
using MediaServer.Live;
using Microsoft.Extensions.Logging;
using ZeroCopy.Samples;

namespace MediaServer.Cli;

/// <summary>
/// The server's options (those of the root command): each with its description, default and parser, so a value that does
/// not parse is refused with the value in the message before the server starts.
/// </summary>
internal sealed class ServeOptions
{
    public Option<IPAddress> Host { get; } = new("--host")
    {
        Description = "Address to listen on (both ports). Default 127.0.0.1 (this machine only); 0.0.0.0 or :: exposes the server to the network.",
        DefaultValueFactory = _ => IPAddress.Loopback,
        CustomParser = HostParser.Parse,
    };

    public Option<int> Port { get; } = new("--port")
    {
        Description = "HTTP port for the page, the videos and the live channels; 0 picks a free port (the actual one is printed).",
        DefaultValueFactory = _ => 8080,
        CustomParser = RangeParser.Between(0, 65535),
    };

    public Option<int> IngestPort { get; } = new("--ingest-port")
    {
        Description = "TCP port that takes a raw MPEG-TS push for channel 'live' (ffmpeg ... -f mpegts tcp://127.0.0.1:PORT); 0 picks a free port.",
        DefaultValueFactory = _ => 9000,
        CustomParser = RangeParser.Between(0, 65535),
    };

    public Option<int?> SrtPort { get; } = new("--srt-port")
    {
        Description = "UDP port that takes MPEG-TS over SRT from encoders in caller mode (OBS: srt://HOST:PORT?streamid=NAME?key=KEY; ffmpeg: srt://HOST:PORT?streamid=#!::r=NAME,k=KEY); 0 picks a free port. Needs libsrt (apt-get install libsrt1.5-openssl). Default: off.",
        CustomParser = result => RangeParser.Between(0, 65535)(result),
    };

    public Option<int> SrtLatency { get; } = new("--srt-latency")
    {
        Description = "SRT receive latency in milliseconds: how long a lost packet may take to be retransmitted; the larger of this and the encoder's applies. Raise it on lossy links (4 x the round trip is SRT's advice).",
        DefaultValueFactory = _ => (int)SrtIngestListener.DefaultLatency.TotalMilliseconds,
        CustomParser = RangeParser.Between(20, 8000),
    };

    public Option<FileInfo?> SrtPassphraseFile { get; } = new("--srt-passphrase-file")
    {
        Description = "File holding the passphrase (10 to 79 characters) that encrypts every SRT link (AES-128); encoders must give the same passphrase. Default: unencrypted.",
    };

    public Option<string?> Media { get; } = new("--media")
    {
        Description = "Folder whose videos (.mp4 .m4v .mov .ts .m2ts .mts .webm .mkv) are served. Default: the bundled sample media.",
    };

    public Option<long> CacheSize { get; } = new("--cache-size")
    {
        Description = "Most bytes of video loaded into memory, with K, M, G suffixes (512M, 2G); videos that do not fit are skipped.",
        DefaultValueFactory = _ => 1L << 30,
        CustomParser = result => OptionParsers.ParseSize(result),
    };

    public Option<long?> LiveBuffer { get; } = new("--live-buffer")
    {
        Description = "Ring size of each live channel, at least 64K. Default 32M (about 2 minutes at 2 Mbit/s). It is the HLS window and the time-shift reach; a viewer that falls a ring behind skips ahead to a keyframe.",
        CustomParser = result => OptionParsers.ParseSize(result, minimum: LiveBufferSizing.MinimumSize),
    };

    public Option<TimeSpan?> LiveBufferTime { get; } = new("--live-buffer-time")
    {
        Description = "Ring size of each live channel as a time instead of --live-buffer: 90s, 30min, 2h, 1h30m or HH:MM:SS. A ring cannot grow, so it is sized at --live-max-bitrate: bytes = time x bit rate / 8 (30min at 8 Mbit/s is 1.68 GiB).",
        CustomParser = result => OptionParsers.ParseTime(result),
    };

    public Option<long?> LiveMaxBitRate { get; } = new("--live-max-bitrate")
    {
        Description = "Highest bit rate a channel is expected to push, which sizes --live-buffer-time: 8M, 4500k, 20Mbps (bits per second; k, M, G are powers of 1000). Default 8M. A channel pushing more keeps less time.",
        CustomParser = result => OptionParsers.ParseBitRate(result),
    };

    public Option<int> MaxChannels { get; } = new("--max-channels")
    {
        Description = "Most live channels at once (the TCP ingest's channel and PUT channels).",
        DefaultValueFactory = _ => 16,
        CustomParser = RangeParser.Between(1, 100_000),
    };

    public Option<int> MaxChannelsPerAddress { get; } = new("--max-channels-per-address")
    {
        Description = "Most live channels one client address publishes at once.",
        DefaultValueFactory = _ => 4,
        CustomParser = RangeParser.Between(1, 100_000),
    };

    public Option<long?> MemoryBudget { get; } = new("--memory-budget")
    {
        Description = "One memory budget for the videos (within --cache-size) and every live ring together, with K, M, G suffixes; a publisher whose ring does not fit is refused (503). Default: --cache-size + --max-channels x --live-buffer (1.5G).",
        CustomParser = result => OptionParsers.ParseSize(result),
    };

    public Option<int> MaxConnections { get; } = new("--max-connections")
    {
        Description = "Most HTTP connections served at once (viewers included); further ones are closed when accepted. Capped at the descriptor limit less 256 (the soft limit is first raised to the hard one); the value in force is printed at start.",
        DefaultValueFactory = _ => 10_000,
        CustomParser = RangeParser.Between(1, 1_000_000),
    };

    public Option<int> MaxConnectionsPerAddress { get; } = new("--max-connections-per-address")
    {
        Description = "Most HTTP connections served at once from one client address (an IPv6 /64 counts as one), so one client cannot take them all.",
        DefaultValueFactory = _ => 100,
        CustomParser = RangeParser.Between(1, 1_000_000),
    };

    public Option<int> FirstRequestTimeout { get; } = new("--first-request-timeout")
    {
        Description = "Seconds a new connection may stay silent before its first request; then it is closed (later requests on a keep-alive connection may wait 30 s).",
        DefaultValueFactory = _ => 5,
        CustomParser = RangeParser.Between(1, 3600),
    };

    // The property shares its name with its value's type, hence the namespace on the default.
    public Option<PublishAuth> PublishAuth { get; } = new("--publish-auth")
    {
        Description = "When publishing needs a stream key or a signed token: Auto (whenever --host is not loopback), Required, or Off (anyone who reaches the ports).",
        DefaultValueFactory = _ => AccessControl.PublishAuth.Auto,
    };

    public Option<FileInfo?> StreamKeys { get; } = new("--stream-keys")
    {
        Description = "File of stream keys, one 'CHANNEL KEY' per line (CHANNEL '*' for any channel, '#' comments); publishers present ?key=KEY (PUT) or a first line key=KEY (raw TCP).",
    };

    public Option<string[]> StreamKey { get; } = new("--stream-key")
    {
        Description = "A stream key as CHANNEL=KEY (repeatable; visible to other local users in the process list, prefer --stream-keys).",
        AllowMultipleArgumentsPerToken = false,
    };

    public Option<FileInfo?> PublishSecretFile { get; } = new("--publish-secret-file")
    {
        Description = "File holding the secret (at least 16 bytes) that signs publish tokens: ?expires=UNIX&token=base64url(HMAC-SHA256(secret, CHANNEL + newline + expires)); see the 'token' command. Default: tokens not accepted.",
    };

    public Option<FileInfo?> ViewerSecretFile { get; } = new("--viewer-secret-file")
    {
        Description = "File holding a secret (at least 16 bytes) that signs viewer URLs: when given, each video and live channel needs ?expires=UNIX&token=base64url(HMAC-SHA256(secret, '/videos/NAME' or '/live/NAME' + newline + expires)), else 403; see the 'token' command. Default: viewers need nothing.",
    };

    // The property shares its name with its value's type, hence the namespace on the default.
    public Option<LogLevel> LogLevel { get; } = new("--log-level")
    {
        Description = "Least severe log level printed: Trace, Debug, Information (one line per request), Warning, Error, None.",
        DefaultValueFactory = _ => Microsoft.Extensions.Logging.LogLevel.Information,
    };

    public Option<string> Memory { get; } = CreateMemory();

    public Option<bool> LockMedia { get; } = new("--lock-media")
    {
        Description = "With --memory mapped: read every video in at start and lock it in RAM, so it stays cached under memory pressure (needs a memory lock limit, ulimit -l, of the media's size).",
    };

    public Option<int?> MetricsPort { get; } = new("--metrics-port")
    {
        Description = "Serve /metrics in Prometheus format on this port of --host (9464 is the exporters' usual port). Default: off.",
        CustomParser = result => RangeParser.Between(1, 65535)(result),
    };

    public Option<bool> CopySlices { get; } = new("--copy-slices")
    {
        Description = "For load comparisons only: copy every slice into a buffer before sending it (the naive baseline).",
    };

    private static Option<string> CreateMemory()
    {
        var memory = new Option<string>("--memory")
        {
            Description = "Where videos and live rings live: 'mapped' (videos mapped from their files, rings in shared memory; sends over 64 KiB leave from the file by sendfile(2) on the socket loop; the default on Linux) or 'pinned' (videos loaded into pinned arrays; sends copy from them).",
            DefaultValueFactory = _ => OperatingSystem.IsLinux() ? "mapped" : "pinned",
        };
        memory.AcceptOnlyFromAmong("mapped", "pinned");
        return memory;
    }
}
