using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ZeroCopy.Benchmarks.Infrastructure;

namespace ZeroCopy.Benchmarks.IO;

/// <summary>
/// A check of the receive target that a shared machine cannot skew: the cache's receive-into and the raw ceilings of
/// <see cref="SocketReceiveBenchmarks"/> (or, with an in-memory source, of <see cref="StreamReadBenchmarks"/>) in one
/// process, in short interleaved blocks whose order rotates, compared block by block.
/// </summary>
/// <remarks>
/// BenchmarkDotNet measures each case in its own process, one after the other, so load from other work that comes and
/// goes between them lands on one case and not the other. Here every round measures all destinations within a few
/// milliseconds, and the ratio is taken per round, so such drift cancels out.
/// <c>./build.sh bench receive-ab [rounds]</c> over a loopback TCP connection, <c>./build.sh bench read-ab [rounds]</c>
/// from the in-memory source.
/// </remarks>
internal static class InterleavedReceiveComparison
{
    private const int ChunkSize = SocketReceiveBenchmarks.ChunkSize;
    private const int CacheSize = SocketReceiveBenchmarks.CacheSize;
    private const int WarmupOperations = 20;
    private const int MeasuredOperations = 100;

    private enum Destination
    {
        /// <summary>The cache's receive-into at the moving write position.</summary>
        Cache,

        /// <summary>One reused 1 MiB array: the ceiling.</summary>
        SmallArray,

        /// <summary>A 100 MiB array at the cache's offsets: the ceiling where the cache's bytes land.</summary>
        LargeArray,

        /// <summary>The same, shifted by a few bytes so that it is aligned like the cache's segments (mod 64).</summary>
        LargeArrayAlignedLikeCache,
    }

    /// <summary>Runs <paramref name="rounds"/> rounds and prints the medians and the per-round ratios.</summary>
    /// <param name="fromSocket">Receive over 127.0.0.1 (<see langword="true"/>) or read from the in-memory source.</param>
    /// <param name="rounds">How many rounds; each measures every destination once.</param>
    /// <returns>A task that completes when the comparison is printed.</returns>
    public static async Task RunAsync(bool fromSocket, int rounds)
    {
        using LoopbackConnection? connection = fromSocket ? LoopbackConnection.Open() : null;
        using var source = new InMemorySourceStream();
        using var cache = new VideoCache(CacheSize);
        byte[] large = new byte[CacheSize + 64];
        byte[] small = new byte[ChunkSize];
        cache.Write(0, large.AsSpan(0, CacheSize)); // touch every page of both, as the benchmarks' setups do
        large.AsSpan().Fill(0x5A);

        int cacheAlignment = AddressMod64(cache.GetMemory(0, 1));
        int largeAlignment = AddressMod64(large);
        int shift = (cacheAlignment - largeAlignment + 64) % 64;

        Destination[] destinations = Enum.GetValues<Destination>();
        var microseconds = destinations.ToDictionary(d => d, _ => new List<double>());
        int offset = 0;
        for (int round = 0; round < rounds; round++)
        {
            int first = round % destinations.Length;
            foreach (Destination destination in destinations[first..].Concat(destinations[..first]))
            {
                for (int i = 0; i < WarmupOperations; i++)
                {
                    await TransferAsync(destination);
                }

                long start = Stopwatch.GetTimestamp();
                for (int i = 0; i < MeasuredOperations; i++)
                {
                    await TransferAsync(destination);
                }

                microseconds[destination].Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds / MeasuredOperations);
            }
        }

        string from = fromSocket ? "receives over 127.0.0.1" : "reads from the in-memory source";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"1 MiB {from}, {rounds} interleaved rounds of {MeasuredOperations}; data start mod 64: cache {cacheAlignment}, large array {largeAlignment}, source {AddressMod64(source.SourceMemory)}:"));
        foreach (Destination destination in destinations)
        {
            List<double> sorted = [.. microseconds[destination].Order()];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {destination,-26} median {Median(sorted),7:F1} us  (min {sorted[0]:F1}, max {sorted[^1]:F1})"));
        }

        foreach (Destination ceiling in destinations[1..])
        {
            // The cache's throughput relative to the ceiling, round by round: ceiling time / cache time.
            List<double> ratios = [.. microseconds[ceiling].Select((time, i) => time / microseconds[Destination.Cache][i]).Order()];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  cache / {ceiling,-26} throughput: median {Median(ratios):F3} (min {ratios[0]:F3}, max {ratios[^1]:F3})"));
        }

        [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
        async ValueTask TransferAsync(Destination destination)
        {
            int at = offset;
            offset = (offset + ChunkSize) % CacheSize;
            if (destination == Destination.Cache)
            {
                long count = connection is null
                    ? await cache.ReadIntoAsync(source, at, ChunkSize)
                    : await cache.ReceiveIntoAsync(connection.Receiver, at, ChunkSize);
                EnsureFull(count);
                return;
            }

            Memory<byte> target = destination switch
            {
                Destination.SmallArray => small,
                Destination.LargeArray => large.AsMemory(at, ChunkSize),
                _ => large.AsMemory(at + shift, ChunkSize),
            };

            if (connection is null)
            {
                EnsureFull(await source.ReadAtLeastAsync(target, ChunkSize, throwOnEndOfStream: true));
                return;
            }

            for (int received = 0; received < target.Length;)
            {
                int count = await connection.Receiver.ReceiveAsync(target[received..], SocketFlags.None);
                received += count > 0 ? count : throw new InvalidOperationException("The sender closed the connection.");
            }
        }
    }

    private static void EnsureFull(long count)
    {
        if (count != ChunkSize)
        {
            throw new InvalidOperationException($"Transferred {count} bytes, not {ChunkSize}.");
        }
    }

    private static double Median(List<double> sorted) => sorted[sorted.Count / 2];

    /// <summary>Where the memory's first byte lies within a 64-byte cache line (pins the array for a moment).</summary>
    private static int AddressMod64(Memory<byte> memory)
    {
        if (!MemoryMarshal.TryGetArray(memory, out ArraySegment<byte> segment))
        {
            throw new InvalidOperationException("Only array-backed memory is measured here.");
        }

        GCHandle handle = GCHandle.Alloc(segment.Array, GCHandleType.Pinned);
        try
        {
            return (int)((handle.AddrOfPinnedObject() + segment.Offset) % 64);
        }
        finally
        {
            handle.Free();
        }
    }
}
