using BenchmarkDotNet.Attributes;

namespace ZeroCopy.Benchmarks.Live;

/// <summary>
/// A datagram ingest (SRT, UDP): one 1,316-byte message (seven MPEG-TS packets) per receive into a 64 MiB ring, the way
/// the media server's SRT ingest takes each <c>srt_recvmsg</c>. The "transport" fills the destination it is given from
/// a prepared message (the kernel's or libsrt's copy), so the numbers are the ring's own cost per message.
/// </summary>
[MemoryDiagnoser]
public class LiveMessageReceiveBenchmarks
{
    /// <summary>One SRT live-mode message of MPEG-TS.</summary>
    public const int MessageSize = 1316;

    /// <summary>The most a receive must offer (SRT's largest live payload).</summary>
    public const int MaxMessageSize = 1456;

    /// <summary>The ring: 64 MiB.</summary>
    public const long Capacity = 64L * 1024 * 1024;

    private static readonly MessageReceiver<byte[]> s_receive = static (destination, message) =>
    {
        message.CopyTo(destination);
        return message.Length;
    };

    private readonly byte[] _message = new byte[MessageSize];
    private LiveCache _cache = null!;

    /// <summary>Creates the ring and the message.</summary>
    [GlobalSetup]
    public void Setup()
    {
        new Random(5).NextBytes(_message);
        _cache = new LiveCache(new LiveCacheOptions { Capacity = Capacity, Name = "benchmark" });
    }

    /// <summary>Drops the ring.</summary>
    [GlobalCleanup]
    public void Cleanup() => _cache.Dispose();

    /// <summary>The naive receive: a new buffer per message (what <c>recv</c> returning <c>bytes</c> does), then copied into the ring.</summary>
    /// <returns>The bytes published.</returns>
    [Benchmark(Baseline = true)]
    public int NewBufferThenWrite()
    {
        byte[] buffer = new byte[MaxMessageSize];
        int received = s_receive(buffer, _message);
        _cache.Write(buffer.AsSpan(0, received));
        return received;
    }

    /// <summary>ZeroCopy: <see cref="LiveCache.ReceiveMessageInto{TState}"/>, the message received where viewers read it.</summary>
    /// <returns>The bytes published.</returns>
    [Benchmark]
    public int ReceiveMessageInto() => _cache.ReceiveMessageInto(MaxMessageSize, s_receive, _message);
}
