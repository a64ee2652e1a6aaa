using System.Diagnostics;
using ZeroCopy;

namespace MediaServer.Live.Hls;

// Signalling: every update signals the library's LoopSignal, waking blocked playlist and media requests, each on the
// socket loop it waits on (no thread-pool work item per held request).
internal sealed partial class HlsSegmenter
{
    /// <summary>The playlist's version: read it before checking whether a held request can be answered, then pass it to <see cref="WaitForChangeAsync"/>.</summary>
    public long ChangeVersion => _changed.Version;

    /// <summary>
    /// Completes at the next update of the playlist after <paramref name="seenVersion"/> (at once if there was one, or if
    /// the stream has ended); <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> is first.
    /// May complete spuriously: the caller checks again.
    /// </summary>
    public ValueTask WaitForChangeAsync(long seenVersion, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_ended)
            {
                return ValueTask.CompletedTask;
            }
        }

        return _changed.WaitAsync(seenVersion, cancellationToken);
    }

    /// <summary>Wakes everything blocked on the playlist; called under the lock.</summary>
    private void Signal()
    {
        _changedAt = Stopwatch.GetTimestamp();
        _rendered = null;
        _changed.Signal();
    }
}
