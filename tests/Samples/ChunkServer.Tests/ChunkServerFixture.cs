using System.Net;
using ChunkServer.Server;
using ZeroCopy;

namespace ChunkServer.Tests;

/// <summary>
/// A chunk server on 127.0.0.1 and a free port, serving a 3 MiB demo video in 1 MiB segments (so chunks cross
/// segment boundaries), with a short idle timeout; stopped when the test class ends.
/// </summary>
public sealed class ChunkServerFixture : IAsyncLifetime
{
    public const int VideoSize = 3 * 1024 * 1024;
    public const int SegmentSize = 1024 * 1024;
    public const int Seed = 42;

    public VideoLibrary Library { get; } = VideoLibrary.CreateDemo(VideoSize, SegmentSize, CacheMemory.SharedMemory, Seed);

    public byte[] Expected { get; } = new byte[VideoSize];

    public ChunkListener Listener { get; private set; } = null!;

    public IPEndPoint EndPoint => Listener.LocalEndPoint;

    public ValueTask InitializeAsync()
    {
        new Random(Seed).NextBytes(Expected);
        Listener = new ChunkListener(
            Library,
            new IPEndPoint(IPAddress.Loopback, 0),
            new ChunkServerOptions { MaxChunkSize = VideoSize, IdleTimeout = TimeSpan.FromSeconds(5) });
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await Listener.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Library.Dispose();
    }
}
