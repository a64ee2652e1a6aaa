using System.Buffers;
using Xunit.Sdk;

namespace ZeroCopy.Tests.Infrastructure;

/// <summary>Byte comparisons whose failure message says where the first difference is and in what context.</summary>
internal static class ByteAssert
{
    /// <summary>Asserts that <paramref name="actual"/> holds exactly the bytes of <paramref name="expected"/>.</summary>
    public static void Equal(ReadOnlySpan<byte> expected, ReadOnlySpan<byte> actual, string context = "")
    {
        if (expected.SequenceEqual(actual))
        {
            return;
        }

        int common = Math.Min(expected.Length, actual.Length);
        int index = expected[..common].CommonPrefixLength(actual[..common]);
        string where = index < common
            ? $"first difference at index {index}: expected 0x{expected[index]:X2}, actual 0x{actual[index]:X2}"
            : $"lengths differ: expected {expected.Length}, actual {actual.Length}";
        throw new XunitException($"Bytes differ ({where}). {context}");
    }

    /// <summary>Asserts that <paramref name="actual"/> holds exactly the bytes of <paramref name="expected"/>.</summary>
    public static void Equal(ReadOnlySpan<byte> expected, ReadOnlySequence<byte> actual, string context = "") =>
        Equal(expected, actual.ToArray(), context);

    /// <summary>Asserts that every byte of <paramref name="actual"/> is <paramref name="value"/>.</summary>
    public static void All(byte value, ReadOnlySpan<byte> actual, string context = "")
    {
        int index = actual.IndexOfAnyExcept(value);
        if (index >= 0)
        {
            throw new XunitException(
                $"Expected every byte to be 0x{value:X2}, but index {index} of {actual.Length} is 0x{actual[index]:X2}. {context}");
        }
    }

    /// <summary>Asserts that every byte of <paramref name="actual"/> is <paramref name="value"/>.</summary>
    public static void All(byte value, ReadOnlySequence<byte> actual, string context = "") =>
        All(value, actual.ToArray(), context);
}
