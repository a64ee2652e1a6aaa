using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using ZeroCopy.Benchmarks.IO;

namespace ZeroCopy.Benchmarks;

/// <summary>Entry point: every benchmark class in this assembly, selected with BenchmarkDotNet's usual arguments.</summary>
/// <example><code>./build.sh bench --filter '*Slice*' --job Short</code> or <code>./build.sh bench receive-ab 60</code></example>
public static class Program
{
    /// <summary>Runs the benchmarks that <paramref name="args"/> select (or asks which, when there are none).</summary>
    /// <param name="args">
    /// BenchmarkDotNet command-line arguments, for example <c>--filter '*Receive*' --job Short</c>; or
    /// <c>receive-ab [rounds]</c> or <c>read-ab [rounds]</c> for the interleaved comparisons.
    /// </param>
    /// <returns>A task that completes when the benchmarks have run.</returns>
    public static async Task Main(string[] args)
    {
        if (args is ["receive-ab" or "read-ab", ..])
        {
            // Not BenchmarkDotNet: the interleaved check of the receive target (see InterleavedReceiveComparison).
            int rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 60;
            await InterleavedReceiveComparison.RunAsync(fromSocket: args[0] == "receive-ab", rounds);
            return;
        }

        // The default columns, plus the median and the range of the iterations: docs/benchmarks.md reports both.
        IConfig config = ManualConfig.Create(DefaultConfig.Instance)
            .AddColumn(StatisticColumn.Median, StatisticColumn.Min, StatisticColumn.Max);
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
    }
}
