namespace ZeroCopy;

/// <summary>
/// Finds the positions in a live stream where a new reader may start (for video, where a decoder can start: a keyframe
/// with the tables it needs) and the unit the stream is made of. Plugged into a <see cref="LiveCache"/> through
/// <see cref="LiveCacheOptions.SyncPointDetector"/>.
/// </summary>
/// <remarks>
/// <para>
/// <b>Calls.</b> The cache calls <see cref="Inspect"/> on the writer's thread, never concurrently, with every byte the
/// writer writes, in stream order, without gaps or overlaps, starting at position 0, after the bytes are in the ring and
/// before they are published to readers. Chunks have any length (a receive returns what the network delivered), so a
/// detector must carry partial units over from one call to the next. The detector's cost is on the ingest path: keep it
/// O(bytes) with a small constant and allocation-free except when it finds something new.
/// </para>
/// <para>
/// <b>Units.</b> Readers only ever see whole units: the cache publishes to readers up to the last complete unit
/// (a multiple of <see cref="UnitSize"/> from the stream's start), and every reader position, sync point and skip is
/// unit-aligned. When the writer completes, the trailing partial unit, if any, is published as well.
/// </para>
/// <para>
/// <b>One instance per cache.</b> A detector holds the state of one stream; do not share it between caches.
/// </para>
/// </remarks>
/// <example>
/// A detector for a stream of fixed-size records, each of which is a valid starting point:
/// <code>
/// sealed class RecordDetector(int recordSize) : ISyncPointDetector
/// {
///     public int UnitSize => recordSize;
///
///     public bool Inspect(long position, ReadOnlySpan&lt;byte&gt; data, out SyncPoint syncPoint)
///     {
///         long newest = (position + data.Length) / recordSize * recordSize; // the last record boundary reached
///         syncPoint = new SyncPoint(newest);
///         return newest > position;                                          // a boundary this chunk crossed
///     }
/// }
/// </code>
/// </example>
public interface ISyncPointDetector
{
    /// <summary>
    /// The size in bytes of the stream's indivisible unit: 1 for a plain byte stream, 188 for MPEG-TS. Read once, when
    /// the cache is created; at least 1 and at most an eighth of the cache's capacity.
    /// </summary>
    public int UnitSize { get; }

    /// <summary>
    /// Examines the bytes just written at <c>[position, position + data.Length)</c> and reports the newest sync point
    /// they complete, if any.
    /// </summary>
    /// <param name="position">The stream position of <c>data[0]</c>: the end of the previous call's data.</param>
    /// <param name="data">
    /// The bytes, read-only and valid only during the call (they live in the ring, which the writer reuses later):
    /// copy what must outlive the call.
    /// </param>
    /// <param name="syncPoint">
    /// When the method returns <see langword="true"/>: the newest sync point found. Its position must be a multiple of
    /// <see cref="UnitSize"/>, greater than any position reported before, at most <c>position + data.Length</c>, and at
    /// least its preamble's length (the preamble stands in for bytes before it). The cache throws
    /// <see cref="InvalidOperationException"/> from the writer call otherwise.
    /// </param>
    /// <returns><see langword="true"/> when a new sync point was found.</returns>
    public bool Inspect(long position, ReadOnlySpan<byte> data, out SyncPoint syncPoint);
}
