using System.Net.Sockets;
using System.Runtime.CompilerServices;
using BenchmarkDotNet.Attributes;
using ZeroCopy.Benchmarks.Infrastructure;

namespace ZeroCopy.Benchmarks.IO;

/// <summary>
/// The book's receive measurement over a real TCP connection on 127.0.0.1: a live stream's next 1 MiB arrives and
/// must land in a 100 MiB cache at the current write position.
/// </summary>
/// <remarks>
/// A sender thread keeps the connection full (<see cref="LoopbackConnection"/>), so each operation measures the
/// receiver's side: system calls, the kernel's copy out of the socket buffer, and whatever the receiver adds.
/// The write position moves forward 1 MiB per operation and wraps, as a live stream's would.
/// </remarks>
[MemoryDiagnoser]
public class SocketReceiveBenchmarks
{
    /// <summary>The size of each receive: 1 MiB.</summary>
    public const int ChunkSize = 1024 * 1024;

    /// <summary>The cache the chunks land in: 100 MiB.</summary>
    public const int CacheSize = 100 * 1024 * 1024;

    private LoopbackConnection _connection = null!;
    private Socket _socket = null!;
    private byte[] _naiveCache = [];
    private VideoCache _cache = null!;
    private byte[] _buffer = [];
    private byte[] _largeArray = [];
    private int _offset;

    /// <summary>Connects, starts the sender and allocates the caches.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _connection = LoopbackConnection.Open();
        _socket = _connection.Receiver;
        _naiveCache = new byte[CacheSize];
        _naiveCache.AsSpan().Fill(0x5A);
        _cache = new VideoCache(CacheSize);
        _cache.Write(0, _naiveCache);
        _buffer = new byte[ChunkSize];
        _largeArray = (byte[])_naiveCache.Clone();
    }

    /// <summary>Stops the sender and drops the caches.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _connection.Dispose();
        _cache.Dispose();
    }

    /// <summary>
    /// The naive way of Brett Slatkin's <i>Effective Python: 90 Specific Ways to Write Better Python</i> (2nd
    /// edition), <c>chunk = sock.recv(size)</c> then <c>b"".join([before, chunk, after])</c>: receive into a new 1 MiB
    /// array, then build a new 100 MiB cache around it.
    /// </summary>
    /// <returns>The new cache's length.</returns>
    [Benchmark(Baseline = true)]
    public async ValueTask<int> ReceiveNewArrayThenSplice()
    {
        byte[] chunk = new byte[ChunkSize];
        for (int received = 0; received < chunk.Length;)
        {
            received += EnsureOpen(await _socket.ReceiveAsync(chunk.AsMemory(received), SocketFlags.None));
        }

        _naiveCache = Splice.Into(_naiveCache, NextOffset(), chunk);
        return _naiveCache.Length;
    }

    /// <summary>ZeroCopy: the bytes land in the cache at the write position, in place.</summary>
    /// <returns>The number of bytes received.</returns>
    [Benchmark]
    public ValueTask<long> ReceiveIntoCache() => _cache.ReceiveIntoAsync(_socket, NextOffset(), ChunkSize);

    /// <summary>
    /// The ceiling: <see cref="Socket.ReceiveAsync(Memory{byte}, SocketFlags, CancellationToken)"/> into one reused
    /// plain 1 MiB array until it is full. Nothing receives faster; the data lands nowhere useful.
    /// </summary>
    /// <returns>The number of bytes received.</returns>
    [Benchmark]
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<int> ReceiveIntoArray()
    {
        int received = 0;
        while (received < _buffer.Length)
        {
            received += EnsureOpen(await _socket.ReceiveAsync(_buffer.AsMemory(received), SocketFlags.None));
        }

        return received;
    }

    /// <summary>
    /// The same ceiling, landing where the cache's bytes land: a plain 100 MiB array at the same moving write position,
    /// so that the destination's place in the memory hierarchy is the cache's, not a 1 MiB buffer that stays in L2.
    /// </summary>
    /// <returns>The number of bytes received.</returns>
    [Benchmark]
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<int> ReceiveIntoLargeArray()
    {
        Memory<byte> destination = _largeArray.AsMemory(NextOffset(), ChunkSize);
        int received = 0;
        while (received < destination.Length)
        {
            received += EnsureOpen(await _socket.ReceiveAsync(destination[received..], SocketFlags.None));
        }

        return received;
    }

    private static int EnsureOpen(int received) =>
        received > 0 ? received : throw new InvalidOperationException("The sender closed the connection during the benchmark.");

    private int NextOffset()
    {
        int offset = _offset;
        _offset = (offset + ChunkSize) % CacheSize;
        return offset;
    }
}
