using System.Net;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;

namespace ZeroCopy.Benchmarks.IO;

/// <summary>
/// A 20 MiB range of a 1 GiB cache sent over a real loopback TCP connection whose far end drains it, from each store:
/// pinned arrays (the <b>baseline</b>: <c>send(2)</c> copies the bytes into the socket) and shared memory
/// (<c>sendfile(2)</c>: the kernel takes the pages). Shows the time, and what each costs in allocations per range.
/// </summary>
[MemoryDiagnoser]
public class SendFromStoreBenchmarks
{
    private const long CacheSize = 1L << 30;
    private const int RangeSize = 20 << 20;
    private VideoCache _pinned = null!;
    private VideoCache _shared = null!;
    private Socket _sender = null!;
    private Socket _receiver = null!;
    private Task _draining = Task.CompletedTask;
    private long _offset;

    /// <summary>Fills both caches with the same bytes and connects a socket pair whose receiver drains on its own thread.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _pinned = new VideoCache(CacheSize, VideoCache.DefaultSegmentSize, CacheMemory.PinnedArrays);
        _shared = new VideoCache(CacheSize, VideoCache.DefaultSegmentSize, CacheMemory.SharedMemory);
        byte[] chunk = new byte[16 << 20];
        new Random(3).NextBytes(chunk);
        for (long offset = 0; offset < CacheSize; offset += chunk.Length)
        {
            _pinned.Write(offset, chunk);
            _shared.Write(offset, chunk);
        }

        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        _receiver = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _receiver.Connect(listener.LocalEndPoint!);
        _sender = listener.Accept();
        _draining = Task.Factory.StartNew(Drain, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>Closes the connection and frees the caches.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _sender.Dispose();
        _receiver.Dispose();
        _draining.Wait(TimeSpan.FromSeconds(10));
        _pinned.Dispose();
        _shared.Dispose();
    }

    /// <summary>From pinned arrays, with send(2).</summary>
    /// <returns>A task that completes when the socket has taken the range.</returns>
    [Benchmark(Baseline = true)]
    public ValueTask SendFromPinnedArrays() => _pinned.SendToAsync(_sender, NextOffset(), RangeSize);

    /// <summary>From shared memory, with sendfile(2).</summary>
    /// <returns>A task that completes when the socket has taken the range.</returns>
    [Benchmark]
    public ValueTask SendFromSharedMemory() => _shared.SendToAsync(_sender, NextOffset(), RangeSize);

    // Seek offsets stepping through the cache, so that ranges start anywhere, segments crossed included.
    private long NextOffset()
    {
        _offset = (_offset + 123_456_789) % (CacheSize - RangeSize);
        return _offset;
    }

    private void Drain()
    {
        byte[] buffer = new byte[1 << 20];
        try
        {
            while (_receiver.Receive(buffer) > 0)
            {
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Closed at cleanup.
        }
    }
}
