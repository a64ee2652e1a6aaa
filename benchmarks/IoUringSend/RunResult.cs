using System.Globalization;
using System.Text;

namespace IoUringSend;

/// <summary>One run of one way: per GB sent, and the receiver's CPU in cores.</summary>
internal sealed record RunResult(
    Variant Variant,
    int RangeSize,
    int Round,
    double GigabytesPerSecond,
    double CpuSecondsPerGigabyte,
    double ContextSwitchesPerGigabyte,
    double SystemCallsPerGigabyte,
    double ReceiverCores,
    double ZeroCopyCopied)
{
    /// <summary>
    /// Both processes' CPU per GB. Over loopback the receiving side's TCP work (and SEND_ZC's copy on delivery) runs in
    /// whichever context the kernel finds, often the receiver's: a way can look cheaper at the sender by moving work to it.
    /// </summary>
    public double BothCpuSecondsPerGigabyte => CpuSecondsPerGigabyte + (ReceiverCores / GigabytesPerSecond);

    public string ToLine() => string.Create(
        CultureInfo.InvariantCulture,
        $"  {SizeName(RangeSize),7}  {Variant.Name(),-24} {GigabytesPerSecond,6:F2} GB/s  {CpuSecondsPerGigabyte,6:F3} CPU s/GB ({BothCpuSecondsPerGigabyte,6:F3} with the receiver)  {ContextSwitchesPerGigabyte,8:F0} ctx/GB  {SystemCallsPerGigabyte,8:F0} syscalls/GB  receiver {ReceiverCores * 100,4:F0}%{(double.IsNaN(ZeroCopyCopied) ? "" : $"  copied {ZeroCopyCopied * 100:F0}%")}");

    /// <summary>A range size on the command line: bytes, or with <c>k</c> (KiB) or <c>m</c> (MiB).</summary>
    public static int ParseSize(string text) => text[^1] switch
    {
        'k' or 'K' => int.Parse(text[..^1], CultureInfo.InvariantCulture) << 10,
        'm' or 'M' => int.Parse(text[..^1], CultureInfo.InvariantCulture) << 20,
        _ => int.Parse(text, CultureInfo.InvariantCulture),
    };

    public static string SizeName(int size) =>
        size % (1 << 20) == 0 ? (size >> 20).ToString(CultureInfo.InvariantCulture) + " MiB"
        : size % (1 << 10) == 0 ? (size >> 10).ToString(CultureInfo.InvariantCulture) + " KiB"
        : size.ToString(CultureInfo.InvariantCulture) + " B";

    /// <summary>Medians and ranges (min–max) over the rounds, a markdown table.</summary>
    public static string Table(List<RunResult> results, Variant[] variants, int[] sizes)
    {
        var table = new StringBuilder();
        table.AppendLine("| range | way | GB/s | CPU s/GB | with the receiver's | ctx sw/GB | syscalls/GB | receiver CPU |");
        table.AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (int size in sizes)
        {
            foreach (Variant variant in variants)
            {
                RunResult[] runs = [.. results.Where(r => r.Variant == variant && r.RangeSize == size)];
                if (runs.Length == 0)
                {
                    continue;
                }

                table.AppendLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"| {SizeName(size)} | {variant.Name()} | {Cell(runs, r => r.GigabytesPerSecond, "F2")} | {Cell(runs, r => r.CpuSecondsPerGigabyte, "F3")} | {Cell(runs, r => r.BothCpuSecondsPerGigabyte, "F3")} | {Cell(runs, r => r.ContextSwitchesPerGigabyte, "F0")} | {Cell(runs, r => r.SystemCallsPerGigabyte, "F0")} | {Median(runs, r => r.ReceiverCores) * 100:F0}% |"));
            }
        }

        return table.ToString();
    }

    private static string Cell(RunResult[] runs, Func<RunResult, double> value, string format)
    {
        double[] values = [.. runs.Select(value).Order()];
        return string.Create(CultureInfo.InvariantCulture, $"{Median(runs, value).ToString(format, CultureInfo.InvariantCulture)} ({values[0].ToString(format, CultureInfo.InvariantCulture)}–{values[^1].ToString(format, CultureInfo.InvariantCulture)})");
    }

    private static double Median(RunResult[] runs, Func<RunResult, double> value)
    {
        double[] values = [.. runs.Select(value).Order()];
        return values.Length % 2 == 1 ? values[values.Length / 2] : (values[(values.Length / 2) - 1] + values[values.Length / 2]) / 2;
    }
}
