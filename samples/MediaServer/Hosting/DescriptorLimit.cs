using System.Runtime.InteropServices;

namespace MediaServer.Hosting;

/// <summary>
/// The process's file descriptor limit (<c>RLIMIT_NOFILE</c>): every connection, listener and runtime pipe takes one, so
/// the connection budgets of both listeners together must stay below it, or a burst of clients makes <c>accept</c> fail
/// with <c>EMFILE</c> and the runtime's own threads fail after it (the .NET runtime aborts when it cannot start a thread).
/// </summary>
internal static partial class DescriptorLimit
{
    /// <summary>
    /// Descriptors kept free beyond those open at start, for what is not an HTTP connection: new runtime threads (each
    /// takes descriptors), the raw ingest's connections, media files being read.
    /// </summary>
    public const int Reserve = 256;

    /// <summary>
    /// Raises the soft limit to the hard limit (what <c>ulimit -n</c> may raise without privilege) and returns the soft
    /// limit now in force; <see langword="null"/> on systems without <c>getrlimit</c> or when it cannot be read.
    /// </summary>
    public static long? RaiseToHardLimit()
    {
        int resource = OperatingSystem.IsLinux() ? 7 : OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD() ? 8 : -1;
        if (resource < 0)
        {
            return null;
        }

        try
        {
            if (GetRLimit(resource, out RLimit limit) != 0)
            {
                return null;
            }

            if (limit.Current < limit.Maximum && SetRLimit(resource, limit with { Current = limit.Maximum }) == 0)
            {
                limit = limit with { Current = limit.Maximum };
            }

            return (long)Math.Min(limit.Current, long.MaxValue);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    /// <summary>The descriptors this process has open now (Linux: <c>/proc/self/fd</c>); <see langword="null"/> when unknown.</summary>
    public static int? OpenCount()
    {
        try
        {
            return Directory.Exists("/proc/self/fd") ? Directory.EnumerateFileSystemEntries("/proc/self/fd").Count() : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// Splits the descriptors left under <paramref name="descriptorLimit"/> (with <paramref name="openNow"/> already taken)
    /// between the HTTP front and the raw ingest, so that both together never reach the limit: what is left less
    /// <see cref="Reserve"/> (or half of what is left, when that is too little to keep the whole reserve) is usable; the
    /// ingest gets an eighth of it (1 to <paramref name="requestedIngest"/>), HTTP the rest (1 to <paramref name="requestedHttp"/>).
    /// </summary>
    public static (int Http, int Ingest) SplitConnections(int requestedHttp, int requestedIngest, long? descriptorLimit, int? openNow)
    {
        if (descriptorLimit is not { } limit)
        {
            return (requestedHttp, requestedIngest);
        }

        long left = limit - (openNow ?? 0);
        long usable = left > 2 * Reserve ? left - Reserve : left / 2;
        int ingest = (int)Math.Clamp(usable / 8, 1, requestedIngest);
        return ((int)Math.Clamp(usable - ingest, 1, requestedHttp), ingest);
    }

    [StructLayout(LayoutKind.Sequential)]
    private readonly record struct RLimit(ulong Current, ulong Maximum);

    [DllImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    private static extern int GetRLimit(int resource, out RLimit limit);

    [DllImport("libc", EntryPoint = "setrlimit", SetLastError = true)]
    private static extern int SetRLimit(int resource, in RLimit limit);
}
