using System.Threading.Tasks.Sources;

namespace ZeroCopy;

/// <summary>
/// A reader's reusable wait: one per reader, reset for every wait, so waiting allocates nothing. Completed at most once
/// per wait by whichever comes first: a wake from the writer's side, the caller's cancellation, or the reader's disposal.
/// </summary>
/// <remarks>
/// A wait made on a socket loop's thread (a viewer served on the loop) is completed back on that loop: the wake is posted
/// to it (<see cref="EpollLoop.Post"/>: one eventfd write per loop and burst, not a thread-pool work item per viewer)
/// and the reader continues inline there. A wait made elsewhere continues on the thread pool, as before.
/// </remarks>
internal sealed class LiveReaderWaiter : IValueTaskSource, ILiveWaiter, ILoopWorkItem
{
    private const int Idle = 0;
    private const int Waiting = 1;

    private readonly LiveReader _reader;
    private ManualResetValueTaskSourceCore<bool> _core;
    private CancellationTokenRegistration _cancellation;
    private int _state;
    private EpollLoop? _home;       // the loop the wait was made on, which completes it; null off the loops
    private Exception? _failure;    // a failure posted to the home loop

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
        _home = EpollLoop.Current;
        _core.RunContinuationsAsynchronously = _home is null;
        _failure = null;
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
        // The state first: a wait seen Waiting was published (with a full fence) after its _home was written.
        if (Volatile.Read(ref _state) != Waiting)
        {
            return;
        }

        if (_home is { IsCurrent: false } home)
        {
            home.Post(this);
            return;
        }

        Complete(null);
    }

    public void TryFail(Exception error)
    {
        if (Volatile.Read(ref _state) != Waiting)
        {
            return;
        }

        if (_home is { IsCurrent: false } home)
        {
            Interlocked.CompareExchange(ref _failure, error, null);
            home.Post(this);
            return;
        }

        Complete(error);
    }

    /// <summary>The posted wake or failure, on the home loop: the reader continues inline. A late one finds the wait over (or is a spurious wake of the next, which the caller re-checks).</summary>
    void ILoopWorkItem.RunOnLoop() => Complete(Volatile.Read(ref _failure));

    private void Complete(Exception? error)
    {
        if (Interlocked.CompareExchange(ref _state, Idle, Waiting) == Waiting)
        {
            _core.SetOutcome(true, error);
        }
    }

    public void GetResult(short token)
    {
        // Waits for a cancellation callback that is running right now, so no late callback can hit the next wait. Never
        // runs inside that callback: continuations run asynchronously, or on the home loop, to which the callback posts.
        _cancellation.Dispose();
        _cancellation = default;
        _core.GetResult(token);
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
