using ZeroCopy;

namespace MediaServer.Http;

/// <summary>The bounds the HTTP front enforces on every request head and connection.</summary>
internal sealed record HttpLimits
{
    /// <summary>The longest request line accepted (method, target and version); longer gets 414.</summary>
    public int MaxRequestLineLength { get; init; } = 8 * 1024;

    /// <summary>The largest request head accepted (request line, header fields and the blank line); larger gets 431.</summary>
    public int MaxHeadSize { get; init; } = 16 * 1024;

    /// <summary>The most header fields accepted in one request; more gets 431.</summary>
    public int MaxHeaderCount { get; init; } = 100;

    /// <summary>How long a keep-alive connection may stay idle between requests before it is closed.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a new connection may wait before the first byte of its first request; then it is closed quietly. Shorter
    /// than <see cref="IdleTimeout"/>, so that connections opened and left silent cannot hold the connection budget.
    /// </summary>
    public TimeSpan FirstRequestTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a client may take to send a whole request head once it started; slower gets 408.</summary>
    public TimeSpan HeadTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long one send or receive of a body may make no progress before the connection is dropped.</summary>
    public TimeSpan StallTimeout
    {
        get => SendOptions.StallTimeout;
        init => SendOptions = new SendOptions { StallTimeout = value, MaxPieceSize = SendPieceSize };
    }

    /// <summary>
    /// What every response send passes to the library: the stall timeout, which the library enforces per send, and pieces
    /// of <see cref="SendPieceSize"/>.
    /// </summary>
    public SendOptions SendOptions { get; private init; } = new() { StallTimeout = TimeSpan.FromSeconds(60), MaxPieceSize = SendPieceSize };

    /// <summary>
    /// The most one system call of a response sends before the connection lets the others on its loop go first: 2 MiB,
    /// nginx's <c>sendfile_max_chunk</c> as its users tune it for large files (docs/benchmarks.md, section 12).
    /// </summary>
    private const int SendPieceSize = 2 * 1024 * 1024;

    /// <summary>The most connections served at once; further connections are closed as soon as they are accepted.</summary>
    public int MaxConnections { get; init; } = 10_000;

    /// <summary>
    /// The most connections served at once from one client address (an IPv6 /64 counts as one address); further
    /// connections from it are closed as soon as they are accepted, while other addresses are still served.
    /// </summary>
    public int MaxConnectionsPerAddress { get; init; } = 100;
}
