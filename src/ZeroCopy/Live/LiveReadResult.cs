using System.Buffers;
using System.Diagnostics;

namespace ZeroCopy;

/// <summary>The outcome of <see cref="LiveReader.ReadAsync"/>: the bytes available to the reader and what happened before them.</summary>
/// <remarks>
/// <b>Ownership.</b> <see cref="Buffer"/> is a view of the live cache's ring, not a copy. It stays valid until the reader
/// advances past it (<see cref="LiveReader.AdvanceTo"/>), reads again, or is disposed — unless the writer laps the reader
/// first, which the next <see cref="LiveReader.AdvanceTo"/> or read reports with <see cref="LiveReaderLappedException"/>.
/// Bytes read from the buffer are therefore only trustworthy once <see cref="LiveReader.AdvanceTo"/> has returned
/// normally: inspect, then advance, then act.
/// </remarks>
[DebuggerDisplay("Position = {Position}, Length = {Buffer.Length}, SkippedBytes = {SkippedBytes}, IsCompleted = {IsCompleted}")]
public readonly struct LiveReadResult
{
    internal LiveReadResult(ReadOnlySequence<byte> buffer, long position, long skippedBytes, bool isCompleted)
    {
        Buffer = buffer;
        Position = position;
        SkippedBytes = skippedBytes;
        IsCompleted = isCompleted;
    }

    /// <summary>
    /// The bytes from the reader's position to the newest published whole unit: the stream's bytes, or (right after the
    /// reader started at a sync point) the sync point's preamble. Empty only when <see cref="IsCompleted"/> is
    /// <see langword="true"/>.
    /// </summary>
    public ReadOnlySequence<byte> Buffer { get; }

    /// <summary>The stream position of the first byte of <see cref="Buffer"/> (the reader's <see cref="LiveReader.Position"/>).</summary>
    public long Position { get; }

    /// <summary>
    /// How many stream bytes the reader skipped, since the previous result, to move forward to a sync point because it
    /// lagged (0 when it did not).
    /// </summary>
    public long SkippedBytes { get; }

    /// <summary>
    /// Whether the writer completed the stream and <see cref="Buffer"/> reaches its end: no byte will follow.
    /// </summary>
    public bool IsCompleted { get; }

    /// <summary>Describes the result; never throws.</summary>
    /// <returns>A short description.</returns>
    public override string ToString() =>
        $"LiveReadResult Position = {Position}, Length = {Buffer.Length}, SkippedBytes = {SkippedBytes}, IsCompleted = {IsCompleted}";
}
