namespace MediaServer.Hosting;

/// <summary>
/// The one memory budget the server's caches share: the videos' caches take their bytes at start, each live channel's
/// ring takes its capacity while it exists. A reservation that does not fit is refused, never partly granted, so a
/// publisher over budget is turned away while the channels already running keep their memory. Thread-safe; O(1).
/// </summary>
internal sealed class MemoryBudget(long total)
{
    private readonly object _lock = new();
    private long _used;

    /// <summary>The bytes the budget holds in all.</summary>
    public long Total { get; } = total;

    /// <summary>The bytes reserved now.</summary>
    public long Used
    {
        get
        {
            lock (_lock)
            {
                return _used;
            }
        }
    }

    /// <summary>Reserves <paramref name="bytes"/>; <see langword="false"/> (nothing reserved) when they do not fit in what is left.</summary>
    public bool TryReserve(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        lock (_lock)
        {
            if (bytes > Total - _used)
            {
                return false;
            }

            _used += bytes;
            return true;
        }
    }

    /// <summary>Gives back <paramref name="bytes"/> reserved by a successful <see cref="TryReserve"/>.</summary>
    public void Release(long bytes)
    {
        lock (_lock)
        {
            System.Diagnostics.Debug.Assert(bytes <= _used, $"released {bytes} of {_used} reserved bytes");
            _used -= bytes;
        }
    }
}
