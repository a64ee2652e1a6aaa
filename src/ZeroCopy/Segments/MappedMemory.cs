using System.Buffers;
using System.IO.MemoryMappedFiles;
using ZeroCopy.Internal;

namespace ZeroCopy.Segments;

/// <summary>
/// One segment of a <see cref="MappedSegmentStore"/> as <see cref="Memory{T}"/>: a window of a memory mapping.
/// </summary>
/// <remarks>
/// The library's only unsafe code. A mapping has no managed array behind it, so a <see cref="Memory{T}"/> over it needs a
/// <see cref="MemoryManager{T}"/> built on its address, and the address comes from the view's handle as a pointer. Every
/// pin (the sockets pin for the length of each operation) takes a use of the store, so the mapping outlives any I/O on
/// it; a span asked for after the store was released is refused.
/// </remarks>
internal sealed unsafe class MappedMemory : MemoryManager<byte>
{
    private readonly SegmentStore _store;
    private readonly byte* _pointer;
    private readonly int _length;

    public MappedMemory(SegmentStore store, nint address, int length)
    {
        _store = store;
        _pointer = (byte*)address;
        _length = length;
    }

    /// <summary>Maps <paramref name="view"/>'s pages into the address space for good; returns the address of its first byte.</summary>
    public static nint AcquireAddress(MemoryMappedViewAccessor view)
    {
        byte* pointer = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        return (nint)(pointer + view.PointerOffset);
    }

    /// <summary>Gives back what <see cref="AcquireAddress"/> took.</summary>
    public static void ReleaseAddress(MemoryMappedViewAccessor view) => view.SafeMemoryMappedViewHandle.ReleasePointer();

    /// <inheritdoc/>
    public override Span<byte> GetSpan()
    {
        if (_store.IsReleased)
        {
            ThrowHelper.SegmentsReleased();
        }

        return new Span<byte>(_pointer, _length);
    }

    /// <inheritdoc/>
    public override MemoryHandle Pin(int elementIndex = 0)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)elementIndex, (uint)_length, nameof(elementIndex));
        if (!_store.TryAcquire())
        {
            ThrowHelper.SegmentsReleased();
        }

        return new MemoryHandle(_pointer + elementIndex, pinnable: this);
    }

    /// <inheritdoc/>
    public override void Unpin() => _store.Release();

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        // The store owns the mapping.
    }
}
