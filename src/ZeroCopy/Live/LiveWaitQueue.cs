namespace ZeroCopy;

/// <summary>
/// The readers of one live cache that wait for data, and the callers waiting for a position to be published. The writer only checks a flag on each publish and, when someone
/// waits, queues one thread-pool work item (this object) that wakes them all: publishing stays O(1) in the number of
/// readers, and waiting costs a reader no thread.
/// </summary>
internal sealed class LiveWaitQueue : IThreadPoolWorkItem
{
    private readonly object _lock = new();
    private List<ILiveWaiter> _waiting = [];
    private List<ILiveWaiter>? _spare = [];
    private int _hasWaiters;
    private int _wakeScheduled;

    /// <summary>Whether any reader registered since the last wake; read by the writer after its publishing fence.</summary>
    public bool HasWaiters => Volatile.Read(ref _hasWaiters) != 0;

    /// <summary>Registers <paramref name="waiter"/> (once, however often it waits before the next wake), then fences.</summary>
    public void Add(ILiveWaiter waiter)
    {
        lock (_lock)
        {
            if (!waiter.InQueue)
            {
                waiter.InQueue = true;
                _waiting.Add(waiter);
            }

            Volatile.Write(ref _hasWaiters, 1);
        }

        // The waiter's side of the handshake with the writer: the flag is visible before the waiter re-reads the version.
        Interlocked.MemoryBarrier();
    }

    /// <summary>Wakes every registered waiter on a thread-pool thread; at most one such wake is queued at a time. O(1).</summary>
    public void ScheduleWake()
    {
        if (Interlocked.Exchange(ref _wakeScheduled, 1) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    /// <inheritdoc/>
    void IThreadPoolWorkItem.Execute()
    {
        // Reset first: a publish after this point queues another wake, so no registration can be missed.
        Interlocked.Exchange(ref _wakeScheduled, 0);
        WakeAll();
    }

    /// <summary>Wakes every registered waiter, on the calling thread. O(waiters).</summary>
    public void WakeAll()
    {
        List<ILiveWaiter> waking;
        lock (_lock)
        {
            waking = _waiting;
            _waiting = _spare ?? [];
            _spare = null;
            Volatile.Write(ref _hasWaiters, 0);
            foreach (ILiveWaiter waiter in waking)
            {
                waiter.InQueue = false;
            }
        }

        // Outside the lock: each signal queues the reader's continuation (continuations run asynchronously).
        foreach (ILiveWaiter waiter in waking)
        {
            waiter.TrySignal();
        }

        waking.Clear();
        lock (_lock)
        {
            _spare ??= waking;
        }
    }
}
