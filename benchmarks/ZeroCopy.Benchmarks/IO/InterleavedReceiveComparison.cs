using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using ZeroCopy.Benchmarks.Infrastructure;

namespace ZeroCopy.Benchmarks.IO;

/// <summary>
/// A check of the receive target that a shared machine cannot skew: <see cref="VideoCache.ReceiveIntoAsync"/> and the
/// two raw ceilings of <see cref="SocketReceiveBenchmarks"/> in one process, over one connection, in short interleaved
/// blocks whose order rotates, compared block by block.
/// </summary>
/// <remarks>
/// BenchmarkDotNet measures each case in its own process, one after the other, so load from other work that comes and
/// goes between them lands on one case and not the other. Here every round measures all three within a few
/// milliseconds, and the ratio is taken per round, so such drift cancels out.
/// <c>./build.sh bench receive-ab [rounds]</c>.
/// </remarks>
internal static class InterleavedReceiveComparison
{
    private const int ChunkSize = SocketReceiveBenchmarks.ChunkSize;
    private const int CacheSize = SocketReceiveBenchmarks.CacheSize;
    private const int WarmupOperations = 20;
    private const int MeasuredOperations = 100;

    private enum Destination
    {
        Cache,
        SmallArray,
        LargeArray,
    }

    /// <summary>Runs <paramref name="rounds"/> rounds and prints the medians and the per-round ratios.</summary>
    /// <param name="rounds">How many rounds; each measures every destination once.</param>
    /// <returns>A task that completes when the comparison is printed.</returns>
    public static async Task RunAsync(int rounds)
    {
        using LoopbackConnection connection = LoopbackConnection.Open();
        using var cache = new VideoCache(CacheSize);
        byte[] large = new byte[CacheSize];
        byte[] small = new byte[ChunkSize];
        cache.Write(0, large); // touch every page of both, as the benchmark's setup does
        large.AsSpan().Fill(0x5A);

        Destination[] destinations = Enum.GetValues<Destination>();
        var microseconds = destinations.ToDictionary(d => d, _ => new List<double>());
        int offset = 0;
        for (int round = 0; round < rounds; round++)
        {
            foreach (Destination destination in destinations.Skip(round % 3).Concat(destinations.Take(round % 3)))
            {
                for (int i = 0; i < WarmupOperations; i++)
                {
                    await ReceiveAsync(destination);
                }

                long start = Stopwatch.GetTimestamp();
                for (int i = 0; i < MeasuredOperations; i++)
                {
                    await ReceiveAsync(destination);
                }

                microseconds[destination].Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds / MeasuredOperations);
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"1 MiB receives over 127.0.0.1, {rounds} interleaved rounds of {MeasuredOperations}:"));
        foreach (Destination destination in destinations)
        {
            List<double> sorted = [.. microseconds[destination].Order()];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {destination,-10} median {Median(sorted),7:F1} us  (min {sorted[0]:F1}, max {sorted[^1]:F1})"));
        }

        foreach (Destination ceiling in new[] { Destination.SmallArray, Destination.LargeArray })
        {
            // Throughput of ReceiveIntoAsync relative to the ceiling, round by round: ceiling time / cache time.
            List<double> ratios = [.. microseconds[ceiling].Select((time, i) => time / microseconds[Destination.Cache][i]).Order()];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  ReceiveIntoAsync / {ceiling} throughput: median {Median(ratios):F3} (min {ratios[0]:F3}, max {ratios[^1]:F3})"));
        }

        [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
        async ValueTask ReceiveAsync(Destination destination)
        {
            int at = offset;
            offset = (offset + ChunkSize) % CacheSize;
            if (destination == Destination.Cache)
            {
                await cache.ReceiveIntoAsync(connection.Receiver, at, ChunkSize);
                return;
            }

            Memory<byte> target = destination == Destination.SmallArray ? small : large.AsMemory(at, ChunkSize);
            for (int received = 0; received < target.Length;)
            {
                int count = await connection.Receiver.ReceiveAsync(target[received..], SocketFlags.None);
                received += count > 0 ? count : throw new InvalidOperationException("The sender closed the connection.");
            }
        }
    }

    private static double Median(List<double> sorted) => sorted[sorted.Count / 2];
}
