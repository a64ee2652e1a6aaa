using System.Diagnostics.CodeAnalysis;

namespace ZeroCopy.Internal;

/// <summary>
/// The library's throw sites, in one place: kept out of line so that the callers' fast paths stay small and inlinable,
/// with the offending values in every message.
/// </summary>
internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void RangeOutOfCache(long offset, long length, long capacity) =>
        throw new ArgumentOutOfRangeException(
            nameof(offset),
            $"The range [offset {offset}, length {length}) does not fit in the cache's capacity {capacity}: offset and length must be non-negative and offset + length must not exceed the capacity.");

    [DoesNotReturn]
    public static void RangeCrossesSegment(long offset, long length, int segmentSize) =>
        throw new ArgumentException(
            $"The range [offset {offset}, length {length}) crosses a segment boundary (segment size {segmentSize}); use the multi-segment API (ReadSlice, GetWritableRanges or Write) for such ranges.",
            nameof(length));

    [DoesNotReturn]
    public static void ArgumentOutOfRange(string paramName, object? value, string requirement) =>
        throw new ArgumentOutOfRangeException(paramName, value, $"{paramName} is {value}; it {requirement}.");

    [DoesNotReturn]
    public static void ObjectDisposed(object instance) =>
        throw new ObjectDisposedException(instance.GetType().FullName);

    [DoesNotReturn]
    public static void CacheReadOnly() =>
        throw new NotSupportedException("The cache is read-only: it maps a file (VideoCache.OpenFile). Load the file into a writable cache to change its bytes.");

    [DoesNotReturn]
    public static void SegmentsReleased() =>
        throw new ObjectDisposedException(objectName: null, "The cache was disposed: its memory has been released.");

    [DoesNotReturn]
    public static void EndOfStreamDuringLoad(long expected, long received) =>
        throw new EndOfStreamException(
            $"The source ended after {received} of the {expected} bytes it announced.");

    // The live cache.

    [DoesNotReturn]
    public static void ConcurrentWriter() =>
        throw new InvalidOperationException(
            "Another write to this LiveCache is in progress: a live cache has exactly one writer, whose calls (ReceiveIntoAsync, ReadIntoAsync, Write, Complete) must not overlap.");

    [DoesNotReturn]
    public static void WriterCompleted(long position) =>
        throw new InvalidOperationException($"The live stream was completed at position {position}; nothing more can be written.");

    [DoesNotReturn]
    public static void ConcurrentReaderUse() =>
        throw new InvalidOperationException(
            "Another ReadAsync or SendToAsync on this LiveReader is in progress: a reader serves one consumer, one call at a time.");

    [DoesNotReturn]
    public static void AdvanceOutOfRange(long position, long readerPosition, long bufferEnd) =>
        throw new ArgumentOutOfRangeException(
            nameof(position),
            position,
            $"position is {position}; it must be between the reader's position {readerPosition} and the end of the last buffer read, {bufferEnd}.");

    [DoesNotReturn]
    public static void Lapped(LiveReader reader, long position, long oldest) =>
        throw new LiveReaderLappedException(
            $"The live reader at position {position} was lapped: the writer reuses the ring before position {oldest} and cut the reader off ({reader.CutOffReason}).");

    [DoesNotReturn]
    public static void LappedDuringSend(LiveReader reader, long position, long oldest, Exception inner) =>
        throw new LiveReaderLappedException(
            $"The live reader's send from position {position} was cut off: the writer reuses the ring before position {oldest} and shut the socket down ({reader.CutOffReason}).",
            inner);

    [DoesNotReturn]
    public static void Faulted(Exception error) =>
        throw new IOException($"The live stream's writer failed: {error.Message}", error);

    [DoesNotReturn]
    public static void InvalidReaderStart(SyncPoint start, int unitSize) =>
        throw new ArgumentException(
            $"A reader cannot start at position {start.Position} with a {start.Preamble.Length}-byte preamble: the position must be a multiple of the unit size {unitSize} and at least the preamble's length.",
            nameof(start));

    [DoesNotReturn]
    public static void RangeNotPublished(long position, long length, long readableEnd, long capacity) =>
        throw new ArgumentOutOfRangeException(
            nameof(position),
            $"The range [position {position}, length {length}) is not published: position and length must be non-negative, the range must end at or before the readable end {readableEnd} and be at most the capacity {capacity} long.");

    public static InvalidOperationException InvalidSyncPoint(SyncPoint syncPoint, long previous, long end, int unitSize) =>
        new(
            $"The sync point detector reported position {syncPoint.Position}; it must be a multiple of the unit size {unitSize}, greater than the previous sync point {previous} and at most the written end {end}.");

    [DoesNotReturn]
    public static void ConcurrentSocketWait(bool forSend) =>
        throw new InvalidOperationException(
            $"Another {(forSend ? "send" : "receive")} already waits on this socket in the socket loop: one send and one receive at a time per socket.");

    public static LiveReaderLappedException RangeLapped(long position, long oldest, Exception? inner) =>
        new(
            $"The send of a live range from position {position} was cut off: the writer reuses the ring before position {oldest} and shut the socket down (in-flight).",
            inner);
}
