using System.Diagnostics.CodeAnalysis;

namespace ZeroCopy.Internal;

/// <summary>Throw sites kept out of line so the callers' fast paths stay small and inlinable.</summary>
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
    public static void ArgumentOutOfRange(string paramName, long value, string requirement) =>
        throw new ArgumentOutOfRangeException(paramName, value, $"{paramName} is {value}; it {requirement}.");

    [DoesNotReturn]
    public static void ObjectDisposed(object instance) =>
        throw new ObjectDisposedException(instance.GetType().FullName);

    [DoesNotReturn]
    public static void EndOfStreamDuringLoad(long expected, long received) =>
        throw new EndOfStreamException(
            $"The source ended after {received} of the {expected} bytes it announced.");
}
