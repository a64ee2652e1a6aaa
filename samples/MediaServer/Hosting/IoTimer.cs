namespace MediaServer.Hosting;

/// <summary>
/// One connection's timeout for the I/O in progress: armed before a receive or send, disarmed after it, and linked to
/// the server's stop token. Reused for the connection's whole life (no allocation per operation). Every protocol on the
/// transport uses it: the HTTP connection for heads, idle waits and bodies, the raw ingest for its receives.
/// </summary>
internal sealed class IoTimer : IDisposable
{
    private readonly CancellationToken _stopping;
    private CancellationTokenSource _source;

    public IoTimer(CancellationToken stopping)
    {
        _stopping = stopping;
        _source = CancellationTokenSource.CreateLinkedTokenSource(stopping);
    }

    /// <summary>Whether the last armed operation was canceled by its timeout (not by the server stopping).</summary>
    public bool TimedOut => _source.IsCancellationRequested && !_stopping.IsCancellationRequested;

    /// <summary>Arms the timer: the returned token is canceled after <paramref name="timeout"/> or when the server stops.</summary>
    public CancellationToken Start(TimeSpan timeout)
    {
        _source.CancelAfter(timeout);
        return _source.Token;
    }

    /// <summary>Disarms the timer after the operation completed in time.</summary>
    public void Stop()
    {
        if (!_source.TryReset())
        {
            // It fired after the operation completed: start over with a fresh source so the next operation is not canceled.
            _source.Dispose();
            _source = CancellationTokenSource.CreateLinkedTokenSource(_stopping);
        }
    }

    public void Dispose() => _source.Dispose();
}
