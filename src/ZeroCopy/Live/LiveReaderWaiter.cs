using System.Threading.Tasks.Sources;

namespace ZeroCopy;

/// <summary>
/// A reader's reusable wait: one per reader, reset for every wait, so waiting allocates nothing. Completed at most once
/// per wait by whichever comes first: a wake from the writer's side, the caller's cancellation, or the reader's disposal.
/// </summary>
internal sealed class LiveReaderWaiter : IValueTaskSource, ILiveWaiter
{
    private const int Idle = 0;
    private const int Waiting = 1;

    private readonly LiveReader _reader;
    private ManualResetValueTaskSourceCore<bool> _core;
    private CancellationTokenRegistration _cancellation;
    private int _state;

    public LiveReaderWaiter(LiveReader reader)
    {
        _reader = reader;
        _core.RunContinuationsAsynchronously = true;
    }

    /// <summary>Set while the waiter is in the wait queue's list; guarded by the queue's lock.</summary>
    public bool InQueue { get; set; }

    /// <summary>
    /// Waits until the cache's version differs from <paramref name="observedVersion"/> (some publish, completion or
    /// disposal since the caller last looked), the token is canceled, or the reader is disposed. Wakes may be spurious:
    /// the caller re-checks.
    /// </summary>
    public ValueTask WaitAsync(LiveCache cache, long observedVersion, CancellationToken cancellationToken)
    {
        _core.Reset();
        Interlocked.Exchange(ref _state, Waiting);
        if (cancellationToken.CanBeCanceled)
        {
            _cancellation = cancellationToken.UnsafeRegister(
                static (state, token) => ((LiveReaderWaiter)state!).TryFail(new OperationCanceledException(token)),
                this);
        }

        // Register, fence (in Add), then re-read the version: either this sees the writer's publish, or the writer sees
        // the registration and queues a wake.
        cache.WaitQueue.Add(this);
        if (cache.Version != observedVersion)
        {
            TrySignal();
        }

        // Dispose sets its flag, then fails a waiting waiter; this side sets Waiting, then reads the flag.
        if (_reader.IsDisposed)
        {
            TryFail(new ObjectDisposedException(nameof(LiveReader)));
        }

        return new ValueTask(this, _core.Version);
    }

    public void TrySignal()
    {
        if (Interlocked.CompareExchange(ref _state, Idle, Waiting) == Waiting)
        {
            _core.SetResult(true);
        }
    }

    public void TryFail(Exception error)
    {
        if (Interlocked.CompareExchange(ref _state, Idle, Waiting) == Waiting)
        {
            _core.SetException(error);
        }
    }

    public void GetResult(short token)
    {
        // Waits for a cancellation callback that is running right now, so no late callback can hit the next wait. Never
        // runs inside that callback: continuations run asynchronously.
        _cancellation.Dispose();
        _cancellation = default;
        _core.GetResult(token);
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
