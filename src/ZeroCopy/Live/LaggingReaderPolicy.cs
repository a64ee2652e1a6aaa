namespace ZeroCopy;

/// <summary>
/// What a <see cref="LiveCache"/> does with a reader that falls so far behind the writer that the data at its position
/// is about to be, or has been, reused.
/// </summary>
/// <remarks>
/// The policy applies <em>between</em> reads and sends. A reader that is still using a region (a buffer returned by
/// <see cref="LiveReader.ReadAsync"/> and not yet advanced past, or a <see cref="LiveReader.SendToAsync"/> in flight)
/// when the writer must reuse it is cut off under either policy: waiting for it would make the ingest depend on a
/// viewer, and letting the writer go on would hand the viewer overwritten bytes.
/// </remarks>
public enum LaggingReaderPolicy
{
    /// <summary>
    /// Move the reader forward to the newest sync point and report how many bytes it skipped
    /// (<see cref="LiveReadResult.SkippedBytes"/>, <see cref="LiveReader.BytesSkipped"/>). A reader whose position lies in
    /// the region the writer reuses next also skips, when a newer sync point exists, so that it is skipped rather than
    /// cut off mid-send. The default.
    /// </summary>
    SkipToSyncPoint,

    /// <summary>
    /// Cut the reader off: its next read or send throws <see cref="LiveReaderLappedException"/> (a send also shuts the
    /// socket down). For consumers that must receive every byte or nothing.
    /// </summary>
    Disconnect,
}
