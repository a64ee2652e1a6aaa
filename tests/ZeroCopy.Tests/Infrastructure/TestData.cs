namespace ZeroCopy.Tests.Infrastructure;

/// <summary>Deterministic test bytes: every byte depends on its position and a seed, so a misplaced byte shows.</summary>
internal static class TestData
{
    /// <summary>Returns <paramref name="length"/> pseudo-random bytes from <paramref name="seed"/>.</summary>
    public static byte[] Random(int length, int seed)
    {
        byte[] bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>
    /// A pattern whose bytes differ at every position modulo 251 (a prime, so it never lines up with a
    /// power-of-two segment boundary): a byte written one position off does not match.
    /// </summary>
    public static byte[] Pattern(int length, int start = 0)
    {
        byte[] bytes = new byte[length];
        for (int i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)((start + i) % 251);
        }

        return bytes;
    }

    /// <summary>Fills the whole cache with <paramref name="value"/>, so that untouched bytes are recognisable.</summary>
    public static void Fill(VideoCache cache, byte value)
    {
        foreach (Memory<byte> piece in cache.GetWritableRanges(0, cache.Capacity))
        {
            piece.Span.Fill(value);
        }
    }
}
