using System.Diagnostics.CodeAnalysis;

namespace MediaServer.Cli;

/// <summary>
/// The ring size of each live channel. A ring is allocated once, when its channel starts, and cannot grow, so a time is
/// turned into bytes at the highest bit rate a channel is expected to push: <c>--live-buffer-time</c> ×
/// <c>--live-max-bitrate</c> / 8, rounded up. Or the size is given in bytes (<c>--live-buffer</c>). A channel that
/// pushes less than the maximum gets more time than asked; one that pushes more, less (<c>GET /live</c> reports each
/// channel's real window and bit rate).
/// </summary>
internal static class LiveBufferSizing
{
    /// <summary>The ring size when neither a size nor a time is given: 32 MiB.</summary>
    public const long DefaultSize = 32L << 20;

    /// <summary>The smallest ring: 64 KiB.</summary>
    public const long MinimumSize = 64 * 1024;

    /// <summary>The largest ring: 1 TiB.</summary>
    public const long MaximumSize = 1L << 40;

    /// <summary>The bit rate a time is sized at when none is given: 8 Mbit/s (a 1080p H.264 stream).</summary>
    public const long DefaultMaxBitRate = 8_000_000;

    /// <summary>The bytes that <paramref name="time"/> takes at <paramref name="bitsPerSecond"/>, rounded up.</summary>
    public static long SizeFor(TimeSpan time, long bitsPerSecond) => (long)Math.Ceiling(time.TotalSeconds * bitsPerSecond / 8);

    /// <summary>How long a ring of <paramref name="size"/> bytes holds at <paramref name="bitsPerSecond"/>.</summary>
    public static TimeSpan TimeHeld(long size, double bitsPerSecond) => TimeSpan.FromSeconds(size * 8 / bitsPerSecond);

    /// <summary>
    /// The ring size from the command line's values (<see langword="null"/> where an option was not given): the size,
    /// or the time at the maximum bit rate, or the default. <see langword="false"/>, with a message naming the options
    /// and values, when both a size and a time are given, a bit rate without a time, or a time whose size is out of range.
    /// </summary>
    public static bool TryResolve(long? size, TimeSpan? time, long? maxBitRate, out long ringSize, [NotNullWhen(false)] out string? error)
    {
        ringSize = DefaultSize;
        error = null;
        if (size is not null && time is not null)
        {
            error = "give --live-buffer (a size) or --live-buffer-time (a time at --live-max-bitrate), not both";
            return false;
        }

        if (maxBitRate is not null && time is null)
        {
            error = "--live-max-bitrate sizes --live-buffer-time: give both (or only --live-buffer, a size in bytes)";
            return false;
        }

        if (time is TimeSpan length)
        {
            long bitsPerSecond = maxBitRate ?? DefaultMaxBitRate;
            long bytes = SizeFor(length, bitsPerSecond); // at most 365 days at 1 Tbit/s (the parsers' limits): no overflow
            if (bytes is < MinimumSize or > MaximumSize)
            {
                error = $"--live-buffer-time {TimeLength.Format(length)} at {BitRate.Format(bitsPerSecond)} needs {ByteSize.Format(bytes)}; a ring must be between {ByteSize.Format(MinimumSize)} and {ByteSize.Format(MaximumSize)}";
                return false;
            }

            ringSize = bytes;
            return true;
        }

        ringSize = size ?? DefaultSize;
        return true;
    }
}
