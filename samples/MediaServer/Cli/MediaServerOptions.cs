using System.Net;
using MediaServer.AccessControl;
using MediaServer.Hosting;
using MediaServer.Http;
using MediaServer.Live;
using MediaServer.Live.Hls;

namespace MediaServer.Cli;

/// <summary>Everything the server is configured with; the command line fills it, tests build it directly.</summary>
internal sealed record MediaServerOptions
{
    /// <summary>The address both listeners bind: loopback unless widened on purpose.</summary>
    public IPAddress Host { get; init; } = IPAddress.Loopback;

    /// <summary>The HTTP port; 0 picks a free one.</summary>
    public int Port { get; init; } = 8080;

    /// <summary>The raw MPEG-TS ingest port for channel <c>live</c>; 0 picks a free one.</summary>
    public int IngestPort { get; init; } = 9000;

    /// <summary>How long a raw TCP or SRT publisher may send nothing before it is dropped.</summary>
    public TimeSpan IngestIdleTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The SRT ingest's UDP port (<c>--srt-port</c>; 0 picks a free one); <see langword="null"/> (the default): off.</summary>
    public int? SrtPort { get; init; }

    /// <summary>The SRT receive latency (<c>--srt-latency</c>): how long SRT may wait for a retransmission.</summary>
    public TimeSpan SrtLatency { get; init; } = SrtIngestListener.DefaultLatency;

    /// <summary>The passphrase that encrypts every SRT link (<c>--srt-passphrase-file</c>); <see langword="null"/>: unencrypted.</summary>
    public string? SrtPassphrase { get; init; }

    /// <summary>The folder of videos to serve; <see langword="null"/> serves the bundled sample media.</summary>
    public string? MediaDirectory { get; init; }

    /// <summary>The most bytes of video loaded into caches; files that do not fit are skipped.</summary>
    public long CacheSize { get; init; } = 1L << 30;

    /// <summary>The ring size of each live channel.</summary>
    public long LiveBufferSize { get; init; } = 32L << 20;

    /// <summary>The most live channels at once (the TCP ingest's <c>live</c> included).</summary>
    public int MaxChannels { get; init; } = 16;

    /// <summary>The most live channels one client address publishes at once.</summary>
    public int MaxChannelsPerAddress { get; init; } = 4;

    /// <summary>
    /// The one memory budget of the videos' caches and the live rings together; <see langword="null"/> means
    /// <see cref="CacheSize"/> + <see cref="MaxChannels"/> × <see cref="LiveBufferSize"/> (1.5 GiB with the defaults).
    /// </summary>
    public long? MemoryBudget { get; init; }

    /// <summary>When publishing needs a credential: by default whenever <see cref="Host"/> is not a loopback address.</summary>
    public PublishAuth PublishAuth { get; init; } = PublishAuth.Auto;

    /// <summary>The stream key of each channel (<c>*</c>: any channel), from <c>--stream-keys</c> and <c>--stream-key</c>.</summary>
    public IReadOnlyDictionary<string, string> StreamKeys { get; init; } = new Dictionary<string, string>();

    /// <summary>The secret that signs publish tokens (<c>--publish-secret-file</c>); <see langword="null"/>: tokens not accepted.</summary>
    public byte[]? PublishSecret { get; init; }

    /// <summary>
    /// The secret that signs viewer URLs (<c>--viewer-secret-file</c>): when set, each video and live channel needs a
    /// signed URL; <see langword="null"/> (the default): they are public.
    /// </summary>
    public byte[]? ViewerSecret { get; init; }

    /// <summary>For load comparisons only: copy each slice into a pooled buffer before sending it (the naive baseline).</summary>
    public bool CopySlices { get; init; }

    /// <summary>The port on <see cref="Host"/> that serves <c>/metrics</c> in Prometheus format; <see langword="null"/> for none.</summary>
    public int? MetricsPort { get; init; }

    /// <summary>
    /// Map the videos (<see cref="ZeroCopy.VideoCache.OpenFile"/>: no load step, the page cache shared) and keep live rings
    /// in shared memory, so that every send uses sendfile(2); the default on Linux. Otherwise videos are loaded into pinned
    /// arrays and sends copy from them.
    /// </summary>
    public bool MapMemory { get; init; } = OperatingSystem.IsLinux();

    /// <summary>With <see cref="MapMemory"/>: read every video in at start and lock it in RAM (needs <c>ulimit -l</c>).</summary>
    public bool LockMedia { get; init; }

    public HttpLimits Limits { get; init; } = new();

    /// <summary>How live channels are cut into Low-Latency HLS segments and parts.</summary>
    public HlsOptions Hls { get; init; } = new();

    /// <summary>The bundled media folder, next to the program.</summary>
    public static string BundledMediaDirectory => Path.Combine(AppContext.BaseDirectory, "media");
}
