namespace ChunkServer.Server;

/// <summary>The server's limits.</summary>
public sealed record ChunkServerOptions
{
    /// <summary>The largest chunk one request may ask for; larger requests are bad requests.</summary>
    public int MaxChunkSize { get; init; } = 64 * 1024 * 1024;

    /// <summary>How long a connection may sit between requests (or inside one) before the server closes it.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
