using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;

namespace ZeroCopy.Benchmarks;

/// <summary>Entry point: every benchmark class in this assembly, selected with BenchmarkDotNet's usual arguments.</summary>
/// <example><code>./build.sh bench --filter '*Slice*' --job Short</code></example>
public static class Program
{
    /// <summary>Runs the benchmarks that <paramref name="args"/> select (or asks which, when there are none).</summary>
    /// <param name="args">BenchmarkDotNet command-line arguments, for example <c>--filter '*Receive*' --job Short</c>.</param>
    public static void Main(string[] args)
    {
        // The default columns, plus the median and the range of the iterations: docs/benchmarks.md reports both.
        IConfig config = ManualConfig.Create(DefaultConfig.Instance)
            .AddColumn(StatisticColumn.Median, StatisticColumn.Min, StatisticColumn.Max);
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
    }
}
