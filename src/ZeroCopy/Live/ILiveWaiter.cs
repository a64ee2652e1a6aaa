namespace ZeroCopy;

/// <summary>
/// Something waiting in a <see cref="LiveWaitQueue"/> for the writer's next publish: a reader waiting for data
/// (<see cref="LiveReaderWaiter"/>) or a caller waiting for a position (<see cref="LivePublicationWaiter"/>).
/// </summary>
internal interface ILiveWaiter
{
    /// <summary>Set while the waiter is in the queue's list; guarded by the queue's lock.</summary>
    public bool InQueue { get; set; }

    /// <summary>
    /// Called on a thread-pool thread after a publish, completion or disposal; never on the writer. May be spurious. A
    /// waiter whose wait was made on a socket loop hands the wake to that loop.
    /// </summary>
    public void TrySignal();
}
