using System.Diagnostics;

namespace MediaServer.Live.Hls;

// Signalling: every update completes the current signal and replaces it, waking blocked playlist and media requests.
internal sealed partial class HlsSegmenter
{
    /// <summary>A task that completes at the next update of the playlist (or at once if the stream has ended).</summary>
    public Task WaitForChangeAsync()
    {
        lock (_lock)
        {
            return _ended ? Task.CompletedTask : _changed.Task;
        }
    }

    /// <summary>Wakes everything blocked on the playlist; called under the lock.</summary>
    private void Signal()
    {
        TaskCompletionSource changed = _changed;
        _changed = NewSignal();
        _changedAt = Stopwatch.GetTimestamp();
        _rendered = null;
        changed.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
