using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace ZeroCopy.Tests.Infrastructure;

/// <summary>
/// A checkable live payload: fixed-size records where record <c>n</c> sits at stream position <c>n * Size</c> and every
/// byte is a function of <c>n</c>. So a reader can verify any byte at any position, in order, and tell a skip (a jump of
/// the position) from a torn record (wrong bytes).
/// </summary>
internal static class LiveRecords
{
    public const int Size = 256;

    /// <summary>Writes records <c>first</c>, <c>first + 1</c>, ... into <paramref name="destination"/> (a multiple of <see cref="Size"/>).</summary>
    public static void Fill(Span<byte> destination, long first)
    {
        for (long n = first; !destination.IsEmpty; n++)
        {
            Span<long> words = MemoryMarshal.Cast<byte, long>(destination[..Size]);
            words[0] = n;
            long seed = n * unchecked((long)0x9E3779B97F4A7C15);
            for (int i = 1; i < words.Length; i++)
            {
                words[i] = seed + i;
            }

            destination = destination[Size..];
        }
    }

    /// <summary>Whether the record at <paramref name="record"/> is intact and is record <paramref name="expected"/>.</summary>
    public static bool IsRecord(ReadOnlySpan<byte> record, long expected)
    {
        ReadOnlySpan<long> words = MemoryMarshal.Cast<byte, long>(record[..Size]);
        if (words[0] != expected)
        {
            return false;
        }

        long seed = expected * unchecked((long)0x9E3779B97F4A7C15);
        for (int i = 1; i < words.Length; i++)
        {
            if (words[i] != seed + i)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Checks every record of a buffer that starts at stream position <paramref name="position"/> (record-aligned);
    /// returns the number of records that are not what that position must hold.
    /// </summary>
    public static int CountBad(ReadOnlySequence<byte> buffer, long position)
    {
        Span<byte> record = stackalloc byte[Size];
        int bad = 0;
        long n = position / Size;
        for (; buffer.Length >= Size; n++)
        {
            ReadOnlySequence<byte> slice = buffer.Slice(0, Size);
            scoped ReadOnlySpan<byte> span;
            if (slice.IsSingleSegment)
            {
                span = slice.FirstSpan;
            }
            else
            {
                slice.CopyTo(record);
                span = record;
            }

            if (!IsRecord(span, n))
            {
                bad++;
            }

            buffer = buffer.Slice(Size);
        }

        return bad;
    }

    /// <summary>
    /// Checks a byte stream received by a viewer: records in increasing order, each intact, gaps allowed (skips); the
    /// last record may be cut short (a cut-off), but its bytes must be right. Returns the gaps' total in bytes.
    /// </summary>
    public static long VerifyReceived(ReadOnlySpan<byte> received, out int bad)
    {
        bad = 0;
        long gaps = 0;
        long previous = -1;
        Span<byte> expected = stackalloc byte[Size];
        while (!received.IsEmpty)
        {
            if (received.Length < 8)
            {
                break; // Too short to tell which record it is; nothing to check.
            }

            long n = BinaryPrimitives.ReadInt64LittleEndian(received);
            if (previous >= 0 && n <= previous)
            {
                bad++;
            }
            else if (previous >= 0)
            {
                gaps += (n - previous - 1) * Size;
            }

            Fill(expected, n);
            int length = Math.Min(Size, received.Length);
            if (!received[..length].SequenceEqual(expected[..length]))
            {
                bad++;
            }

            previous = n;
            received = received[length..];
        }

        return gaps;
    }
}

/// <summary>A sync point detector for <see cref="LiveRecords"/>: every record boundary is a sync point.</summary>
internal sealed class LiveRecordDetector : ISyncPointDetector
{
    public int UnitSize => LiveRecords.Size;

    public bool Inspect(long position, ReadOnlySpan<byte> data, out SyncPoint syncPoint)
    {
        long newest = (position + data.Length) / LiveRecords.Size * LiveRecords.Size;
        syncPoint = new SyncPoint(newest);
        return newest > position;
    }
}

/// <summary>Writes consecutive records to a live cache, in batches.</summary>
internal sealed class LiveRecordWriter(LiveCache cache, int recordsPerWrite)
{
    private readonly byte[] _batch = new byte[recordsPerWrite * LiveRecords.Size];

    public long NextRecord { get; private set; }

    public void WriteBatch()
    {
        LiveRecords.Fill(_batch, NextRecord);
        cache.Write(_batch);
        NextRecord += recordsPerWrite;
    }
}
