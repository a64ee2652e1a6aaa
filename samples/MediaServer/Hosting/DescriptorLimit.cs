using System.Runtime.InteropServices;

namespace MediaServer.Hosting;

/// <summary>
/// The process's file descriptor limit (<c>RLIMIT_NOFILE</c>): every connection, listener and runtime pipe takes one, so
/// the connection budget must stay below it, or a burst of clients makes <c>accept</c> fail with <c>EMFILE</c> and
/// the runtime's own threads fail after it.
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
    /// The most HTTP connections that fit under <paramref name="descriptorLimit"/> with <paramref name="openNow"/>
    /// descriptors already taken: <paramref name="requested"/>, lowered to what is left less <see cref="Reserve"/> (or to
    /// half of what is left when that is too little to keep the whole reserve). At least 1.
    /// </summary>
    public static int CapConnections(int requested, long? descriptorLimit, int? openNow)
    {
        if (descriptorLimit is not { } limit)
        {
            return requested;
        }

        long left = limit - (openNow ?? 0);
        long fits = left > 2 * Reserve ? left - Reserve : left / 2;
        return (int)Math.Clamp(fits, 1, requested);
    }

    [StructLayout(LayoutKind.Sequential)]
    private readonly record struct RLimit(ulong Current, ulong Maximum);

    [DllImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    private static extern int GetRLimit(int resource, out RLimit limit);

    [DllImport("libc", EntryPoint = "setrlimit", SetLastError = true)]
    private static extern int SetRLimit(int resource, in RLimit limit);
}
