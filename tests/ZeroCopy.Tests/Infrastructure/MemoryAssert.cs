using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ZeroCopy.Tests.Infrastructure;

/// <summary>Asserts that two views are the same memory (same address, same length), whatever store is behind them.</summary>
internal static class MemoryAssert
{
    public static void Same(ReadOnlyMemory<byte> expected, ReadOnlyMemory<byte> actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        Assert.True(
            Unsafe.AreSame(ref MemoryMarshal.GetReference(expected.Span), ref MemoryMarshal.GetReference(actual.Span)),
            "the two views are different memory: one is a copy");
    }
}
