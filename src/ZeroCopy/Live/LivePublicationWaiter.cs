using System.Threading.Tasks.Sources;

namespace ZeroCopy;

/// <summary>
/// One caller of <see cref="LiveCache.WaitForPublishedAsync"/> that had to wait: registered in the cache's wait queue,
/// it looks again after every publish and completes once when the position is published, the stream completes, the cache
/// is disposed, or the caller cancels. One small object per wait that does not complete at once; no thread.
/// </summary>
internal sealed class LivePublicationWaiter : IValueTaskSource<long>, ILiveWaiter
{
    private readonly LiveCache _cache;
    private readonly long _position;
    private ManualResetValueTaskSourceCore<long> _core;
    private CancellationTokenRegistration _cancellation;
    private int _completed;

    public LivePublicationWaiter(LiveCache cache, long position)
    {
        _cache = cache;
        _position = position;
        _core.RunContinuationsAsynchronously = true;
    }

    /// <inheritdoc/>
    public bool InQueue { get; set; }

    /// <summary>Starts waiting: registers, then looks (it may complete at once).</summary>
    public ValueTask<long> WaitAsync(CancellationToken cancellationToken)
    {
        if (cancellationToken.CanBeCanceled)
        {
            _cancellation = cancellationToken.UnsafeRegister(
                static (state, token) => ((LivePublicationWaiter)state!).TryComplete(0, new OperationCanceledException(token)),
                this);
        }

        Look();
        return new ValueTask<long>(this, _core.Version);
    }

    /// <inheritdoc/>
    public void TrySignal()
    {
        if (Volatile.Read(ref _completed) == 0)
        {
            Look();
        }
    }

    public long GetResult(short token)
    {
        _cancellation.Dispose();
        return _core.GetResult(token);
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    /// <summary>
    /// Registers (the queue's fence), then reads the cache: either this sees the writer's publish, or the writer, whose
    /// version increment is a full fence before it reads the waiters flag, sees the registration and queues a wake.
    /// </summary>
    private void Look()
    {
        _cache.WaitQueue.Add(this);
        if (_cache.IsDisposed)
        {
            TryComplete(0, new ObjectDisposedException(nameof(LiveCache)));
            return;
        }

        // The completion first: when it is set, the readable end read next is final.
        bool completed = _cache.Completion is not null;
        long end = _cache.ReadableEnd;
        if (end >= _position || completed)
        {
            TryComplete(end, error: null);
        }
    }

    private void TryComplete(long end, Exception? error)
    {
        if (Interlocked.Exchange(ref _completed, 1) != 0)
        {
            return;
        }

        _core.SetOutcome(end, error);
    }
}
