using System.Diagnostics;

namespace MediaServer.Hosting;

/// <summary>
/// Decides which refused connections of one budget are logged, so that a flood cannot flood the log: each address once
/// per interval, at most <see cref="MaxAddressesPerInterval"/> addresses an interval; the refusals not logged are counted
/// and reported with the next one that is. Used by one accept loop only, so not thread-safe.
/// </summary>
internal sealed class RefusalLog(TimeSpan interval)
{
    /// <summary>The most distinct addresses logged in one interval; beyond it refusals are only counted.</summary>
    public const int MaxAddressesPerInterval = 64;

    private readonly HashSet<ClientAddress> _logged = [];
    private long _intervalStart = Stopwatch.GetTimestamp();
    private int _unlogged;

    /// <summary>
    /// Whether to log this refusal of <paramref name="address"/>; when <see langword="true"/>, <paramref name="unlogged"/>
    /// is the number of refusals not logged since the last one that was.
    /// </summary>
    public bool ShouldLog(ClientAddress address, out int unlogged)
    {
        if (Stopwatch.GetElapsedTime(_intervalStart) >= interval)
        {
            _logged.Clear();
            _intervalStart = Stopwatch.GetTimestamp();
        }

        if (_logged.Count >= MaxAddressesPerInterval || !_logged.Add(address))
        {
            _unlogged++;
            unlogged = 0;
            return false;
        }

        unlogged = _unlogged;
        _unlogged = 0;
        return true;
    }
}
