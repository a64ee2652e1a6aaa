using System.Diagnostics;

namespace ZeroCopy;

/// <summary>
/// The writable views that make up one range of a <see cref="VideoCache"/>, one per segment touched, in order.
/// A value type with a value-type enumerator: <c>foreach</c> over it allocates nothing.
/// </summary>
/// <remarks>The views are windows onto the cache's memory, valid until the cache is disposed.</remarks>
[DebuggerDisplay("Offset = {_offset}, Length = {_length}")]
public readonly struct WritableRanges
{
    private readonly VideoCache _cache;
    private readonly long _offset;
    private readonly long _length;

    internal WritableRanges(VideoCache cache, long offset, long length)
    {
        _cache = cache;
        _offset = offset;
        _length = length;
    }

    /// <summary>Returns an enumerator over the pieces.</summary>
    /// <returns>A value-type enumerator.</returns>
    public Enumerator GetEnumerator() => new(_cache, _offset, _length);

    /// <summary>Enumerates the pieces of a <see cref="WritableRanges"/>.</summary>
    public struct Enumerator
    {
        private readonly VideoCache _cache;
        private long _next;
        private long _remaining;

        internal Enumerator(VideoCache cache, long offset, long length)
        {
            _cache = cache;
            _next = offset;
            _remaining = length;
            Current = default;
        }

        /// <summary>The current piece.</summary>
        public Memory<byte> Current { get; private set; }

        /// <summary>Moves to the next piece.</summary>
        /// <returns><see langword="false"/> when the range is exhausted.</returns>
        public bool MoveNext()
        {
            if (_remaining == 0)
            {
                return false;
            }

            Memory<byte> segment = _cache.SegmentFrom(_next);
            int length = (int)Math.Min(segment.Length, _remaining);
            Current = segment[..length];
            _next += length;
            _remaining -= length;
            return true;
        }
    }
}
