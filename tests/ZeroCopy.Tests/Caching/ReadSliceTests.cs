using System.Buffers;
using System.Runtime.InteropServices;

namespace ZeroCopy.Tests.Caching;

public class ReadSliceTests
{
    [Fact]
    public void WriteThroughWritableViewIsVisibleThroughReadSliceAtSameOffset()
    {
        using var cache = new VideoCache(64 * 1024, segmentSize: 16 * 1024);
        Memory<byte> view = cache.GetMemory(1234, 100);
        view.Span.Fill(0x5A);

        ReadOnlySequence<byte> slice = cache.ReadSlice(1234, 100);

        Assert.True(slice.IsSingleSegment);
        Assert.True(MemoryMarshal.TryGetArray(view, out ArraySegment<byte> written));
        Assert.True(MemoryMarshal.TryGetArray(slice.First, out ArraySegment<byte> read));
        Assert.Same(written.Array, read.Array);
        Assert.Equal(written.Offset, read.Offset);
        Assert.All(slice.ToArray(), b => Assert.Equal(0x5A, b));
    }
}
