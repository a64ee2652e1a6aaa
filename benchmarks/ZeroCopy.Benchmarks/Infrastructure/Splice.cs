namespace ZeroCopy.Benchmarks.Infrastructure;

/// <summary>The naive way to put a received chunk into an immutable cache: build a new cache around it.</summary>
internal static class Splice
{
    /// <summary>
    /// Returns a new cache holding <paramref name="cache"/> with <paramref name="chunk"/> written at
    /// <paramref name="offset"/>: the <c>b"".join([before, chunk, after])</c> of Brett Slatkin's
    /// <i>Effective Python: 90 Specific Ways to Write Better Python</i> (2nd edition).
    /// </summary>
    /// <remarks>
    /// Kinder to the naive way than the Python it stands for: it copies <c>before</c> and <c>after</c> once, straight
    /// into the new cache, where Python first copies them into slices of their own and then joins.
    /// </remarks>
    /// <param name="cache">The old cache; left unchanged.</param>
    /// <param name="offset">Where the chunk goes.</param>
    /// <param name="chunk">The received bytes.</param>
    /// <returns>The new cache, as large as the old one.</returns>
    public static byte[] Into(byte[] cache, int offset, ReadOnlySpan<byte> chunk)
    {
        byte[] next = new byte[cache.Length];
        int end = offset + chunk.Length;
        cache.AsSpan(0, offset).CopyTo(next);
        chunk.CopyTo(next.AsSpan(offset));
        cache.AsSpan(end).CopyTo(next.AsSpan(end));
        return next;
    }
}
