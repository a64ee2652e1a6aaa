using System.ComponentModel;
using System.Globalization;
using System.Runtime.InteropServices;

namespace IoUringSend;

/// <summary>
/// CPU time and context switches of a whole process, every thread (the io_uring workers the kernel starts in this process
/// included, also those that exited meanwhile): <c>getrusage(RUSAGE_SELF)</c> for this process, <c>/proc/PID</c> for
/// another.
/// </summary>
internal readonly record struct ProcessCounters(double CpuSeconds, long ContextSwitches)
{
    public static ProcessCounters operator -(ProcessCounters later, ProcessCounters earlier) =>
        new(later.CpuSeconds - earlier.CpuSeconds, later.ContextSwitches - earlier.ContextSwitches);

    /// <summary>This process: user + system time and voluntary + involuntary switches of all its threads, living or not.</summary>
    public static unsafe ProcessCounters Self()
    {
        byte* usage = stackalloc byte[144];
        if (Native.GetResourceUsage(0 /* RUSAGE_SELF */, usage) != 0)
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError(), "getrusage");
        }

        long* words = (long*)usage;   // ru_utime {sec, usec}, ru_stime {sec, usec}, then 14 longs
        double cpu = words[0] + (words[1] / 1e6) + words[2] + (words[3] / 1e6);
        return new ProcessCounters(cpu, words[16] + words[17]);
    }

    /// <summary>
    /// Another process: <c>utime + stime</c> of <c>/proc/PID/stat</c> (whole process, clock ticks of 10 ms) and the sum of
    /// <c>voluntary_ctxt_switches</c> and <c>nonvoluntary_ctxt_switches</c> over <c>/proc/PID/task/*/status</c>.
    /// </summary>
    public static ProcessCounters Of(int pid)
    {
        string stat = File.ReadAllText($"/proc/{pid}/stat");
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        double cpu = (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
        long switches = 0;
        foreach (string task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
        {
            try
            {
                foreach (string line in File.ReadLines(Path.Combine(task, "status")))
                {
                    if (line.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal) || line.StartsWith("nonvoluntary_ctxt_switches:", StringComparison.Ordinal))
                    {
                        switches += long.Parse(line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim(), CultureInfo.InvariantCulture);
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The thread exited between the listing and the read.
            }
        }

        return new ProcessCounters(cpu, switches);
    }
}
