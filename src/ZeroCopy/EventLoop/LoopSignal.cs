using System.Diagnostics;
using System.Threading.Tasks.Sources;

namespace ZeroCopy;

/// <summary>
/// A wake-up for many waiters at once: the requests a server holds until its content changes, such as a blocking
/// Low-Latency HLS playlist reload or a preload-hinted part. <see cref="Signal"/> wakes every wait made before it.
/// </summary>
/// <remarks>
/// <para>
/// A wait made on a socket loop's thread (a request served on the loop, <see cref="SocketLoop"/>) continues on that
/// loop: the wake is posted to it, one <c>eventfd</c> write per loop and burst, and the held request sends its answer
/// and waits for the connection's next request inline there, as a live viewer does. A wait made on any other thread
/// continues on the thread pool. <see cref="Signal"/> never runs a waiter's continuation itself, so it may be called
/// under the caller's lock.
/// </para>
/// <para>
/// Waits are pooled: once warm, waiting allocates nothing. A wake may be spurious (a wait is woken by a signal it did not
/// need, or that came just before it): a waiter re-checks its condition, reading <see cref="Version"/> before the check
/// and passing it to <see cref="WaitAsync"/> so that a signal in between is not lost. Thread-safe.
/// </para>
/// </remarks>
public sealed class LoopSignal
{
    private readonly object _lock = new();
    private readonly Stack<Waiter> _pool = new();        // waits returned by their awaiters, for the next waits
    private readonly List<Waiter> _waiting = [];
    private long _version;

    /// <summary>How many times <see cref="Signal"/> was called: read it before checking the condition a wait is for.</summary>
    public long Version => Volatile.Read(ref _version);

    /// <summary>The waits registered and not yet woken or canceled. O(1).</summary>
    public int WaitingCount
    {
        get
        {
            lock (_lock)
            {
                return _waiting.Count;
            }
        }
    }

    /// <summary>
    /// Waits until <see cref="Version"/> differs from <paramref name="observedVersion"/>: completes at once if it already
    /// does, else at the next <see cref="Signal"/>. O(1).
    /// </summary>
    /// <param name="observedVersion">The <see cref="Version"/> read before the caller checked its condition.</param>
    /// <param name="cancellationToken">Ends the wait with <see cref="OperationCanceledException"/>, for example a timeout.</param>
    /// <returns>A task to await once.</returns>
    /// <exception cref="OperationCanceledException">The token was canceled before a signal.</exception>
    public ValueTask WaitAsync(long observedVersion, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        Waiter waiter;
        lock (_lock)
        {
            if (_version != observedVersion)
            {
                return ValueTask.CompletedTask;
            }

            waiter = _pool.Count > 0 ? _pool.Pop() : new Waiter(this);
            waiter.Arm(EpollLoop.Current);
            waiter.InList = true;
            _waiting.Add(waiter);
        }

        // Outside the lock: a token canceled by now runs the callback here, which finishes the wait.
        waiter.RegisterCancellation(cancellationToken);
        return new ValueTask(waiter, waiter.Token);
    }

    /// <summary>
    /// Increments <see cref="Version"/> and wakes every registered wait: each is posted to its loop, or completed to
    /// continue on the thread pool. O(waiters); runs no continuation on the calling thread.
    /// </summary>
    public void Signal()
    {
        lock (_lock)
        {
            _version++;

            // Under the lock, so that no wait is returned to the pool and armed again while it is being woken: waking
            // only posts or queues, it never runs a continuation here.
            foreach (Waiter waiter in _waiting)
            {
                waiter.InList = false;
                waiter.TryFinish(null);
            }

            _waiting.Clear();
        }
    }

    /// <summary>A wait ended and observed by its awaiter: out of the list (a canceled one is still in it) and back to the pool.</summary>
    private void Return(Waiter waiter)
    {
        lock (_lock)
        {
            if (waiter.InList)
            {
                _waiting.Remove(waiter);
                waiter.InList = false;
            }

            _pool.Push(waiter);
        }
    }

    /// <summary>One wait, reused: completed at most once per wait, by a signal or by its cancellation, whichever is first.</summary>
    private sealed class Waiter(LoopSignal owner) : IValueTaskSource, ILoopWorkItem
    {
        private const int Idle = 0, Waiting = 1, Posted = 2;

        private ManualResetValueTaskSourceCore<bool> _core;
        private CancellationTokenRegistration _cancellation;
        private EpollLoop? _home;       // the loop the wait was made on, which completes it; null off the loops
        private Exception? _failure;    // the outcome posted to the home loop
        private int _state;

        /// <summary>Whether the wait is in the signal's list; guarded by the signal's lock.</summary>
        public bool InList { get; set; }

        public short Token => _core.Version;

        /// <summary>Starts a wait; under the signal's lock.</summary>
        public void Arm(EpollLoop? home)
        {
            Debug.Assert(_state == Idle, "a pooled wait still in use");
            _core.Reset();
            _home = home;
            _core.RunContinuationsAsynchronously = home is null;
            _failure = null;
            Volatile.Write(ref _state, Waiting);
        }

        public void RegisterCancellation(CancellationToken cancellationToken)
        {
            if (cancellationToken.CanBeCanceled)
            {
                _cancellation = cancellationToken.UnsafeRegister(
                    static (state, token) => ((Waiter)state!).TryFinish(new OperationCanceledException(token)),
                    this);
            }
        }

        /// <summary>Ends the wait with <paramref name="error"/> (or success) unless it already ended: on its loop, posted there.</summary>
        public void TryFinish(Exception? error)
        {
            if (_home is { } home)
            {
                // Posted even from the home loop's own thread: the continuation must not run inside Signal.
                if (Interlocked.CompareExchange(ref _state, Posted, Waiting) == Waiting)
                {
                    _failure = error;
                    home.Post(this);
                }

                return;
            }

            if (Interlocked.CompareExchange(ref _state, Idle, Waiting) == Waiting)
            {
                _core.SetOutcome(true, error);
            }
        }

        /// <summary>The posted outcome, on the home loop: the held request continues inline.</summary>
        void ILoopWorkItem.RunOnLoop()
        {
            Debug.Assert(_state == Posted, "a wait posted twice");
            Volatile.Write(ref _state, Idle);
            _core.SetOutcome(true, _failure);
        }

        public void GetResult(short token)
        {
            // Waits for a cancellation callback running right now (never from inside it: continuations run on the loop
            // or the pool), so that no late callback reaches the wait's next use.
            _cancellation.Dispose();
            _cancellation = default;
            try
            {
                _core.GetResult(token);
            }
            finally
            {
                owner.Return(this);
            }
        }

        public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

        public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
            _core.OnCompleted(continuation, state, token, flags);
    }
}
