using System.Diagnostics;
using System.Net.Sockets;
using System.Threading.Tasks.Sources;

namespace ZeroCopy;

/// <summary>
/// One direction (receive or send) of one descriptor waiting on an <see cref="EpollLoop"/>: an awaitable that the loop
/// completes inline on its own thread when the socket is ready, so the awaiting code continues there with no hand-off.
/// </summary>
/// <remarks>
/// Allocated once per descriptor number and direction and reused for every wait on it (no allocation per wait). It
/// holds no reference on the socket's handle while armed: <see cref="Socket.Dispose()"/> waits for every reference to be
/// given back, and a dispose on the loop's own thread would wait forever for a reference only that thread can release.
/// A socket disposed meanwhile is seen by the loop's sweep (the kernel drops the registration of a closed descriptor),
/// which ends the wait with <see cref="ObjectDisposedException"/>; a new socket that gets the number first takes the slot
/// over from the closed one. A cancellation ends the wait on the thread pool (the canceling thread is usually a timer's,
/// which must not run a connection).
/// </remarks>
internal sealed class ReadinessWait : IValueTaskSource, IThreadPoolWorkItem, ILoopWorkItem
{
    private readonly EpollLoop _loop;
    private ManualResetValueTaskSourceCore<bool> _core; // completes inline: the continuation runs on the completing thread
    private int _inUse;                                  // 1 from Begin until the awaiter took the result
    private SafeSocketHandle? _handle;                   // the socket waited on (no reference held): the sweep checks IsClosed
    private CancellationToken _token;
    private CancellationTokenRegistration _registration; // disposed in GetResult, once it is surely assigned
    private Exception? _pendingError;                    // what a deferred completion (loop turn, thread pool) ends the wait with
    private bool _armed;                                 // see Armed

    public ReadinessWait(EpollLoop loop, int fd, bool forSend)
    {
        _loop = loop;
        Fd = fd;
        ForSend = forSend;
    }

    /// <summary>The descriptor number this wait serves.</summary>
    public int Fd { get; }

    /// <summary>Whether this waits for room to send (<c>EPOLLOUT</c>) rather than for bytes to receive (<c>EPOLLIN</c>).</summary>
    public bool ForSend { get; }

    /// <summary>Whether the loop should complete this wait on the next readiness event; guarded by the loop's lock.</summary>
    public bool Armed
    {
        get => _armed;
        set
        {
            if (_armed != value)
            {
                _armed = value;
                _loop.CountArmed(value);
            }
        }
    }

    /// <summary>When the wait times out (<see cref="Environment.TickCount64"/>); <see cref="long.MaxValue"/> for never.</summary>
    public long Deadline { get; private set; }

    /// <summary>The socket's handle, for the loop's sweep to see it closed.</summary>
    public SafeSocketHandle? Handle => _handle;

    public short Version => _core.Version;

    /// <summary>Claims the wait for one operation; false when another operation in the same direction already waits on the socket.</summary>
    public bool TryBegin(SafeSocketHandle handle, long deadline)
    {
        if (Interlocked.Exchange(ref _inUse, 1) != 0)
        {
            return false;
        }

        _core.Reset();
        _handle = handle;
        Deadline = deadline;
        return true;
    }

    /// <summary>Called after the loop armed the wait: a cancellation from now on ends it.</summary>
    public void WatchCancellation(CancellationToken cancellationToken)
    {
        _token = cancellationToken;
        if (cancellationToken.CanBeCanceled)
        {
            _registration = cancellationToken.UnsafeRegister(static state => ((ReadinessWait)state!).OnCanceled(), this);
        }
    }

    /// <summary>Ends the wait: the awaiting code continues on this thread.</summary>
    public void Complete(Exception? error)
    {
        _core.SetOutcome(true, error);
    }

    public void GetResult(short token)
    {
        try
        {
            _core.GetResult(token);
        }
        finally
        {
            _registration.Dispose(); // waits for a cancellation callback in progress, which finds the wait disarmed
            _registration = default;
            _token = default;
            _pendingError = null;
            _handle = null;
            Volatile.Write(ref _inUse, 0);
        }
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    /// <summary>Sets what the next deferred completion (<see cref="ILoopWorkItem.RunOnLoop"/> or the thread pool's) ends the wait with: null for ready.</summary>
    public void CompleteLaterWith(Exception? error) => _pendingError = error;

    void ILoopWorkItem.RunOnLoop() => Complete(_pendingError);

    void IThreadPoolWorkItem.Execute()
    {
        Debug.Assert(_pendingError is not null, "only a cancellation completes a wait on the thread pool");
        Complete(_pendingError);
    }

    private void OnCanceled()
    {
        if (_loop.TryDisarm(this))
        {
            _pendingError = new OperationCanceledException(_token);
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }
}
