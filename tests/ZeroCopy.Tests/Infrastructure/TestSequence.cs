using System.Buffers;

namespace ZeroCopy.Tests.Infrastructure;

/// <summary>Builds multi-segment <see cref="ReadOnlySequence{T}"/> values from arrays, one segment per array, empty ones included.</summary>
internal static class TestSequence
{
    public static ReadOnlySequence<byte> Create(params byte[][] segments)
    {
        if (segments.Length == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        var first = new Segment(segments[0], 0);
        Segment last = first;
        for (int i = 1; i < segments.Length; i++)
        {
            last = last.Append(segments[i]);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    /// <summary>Splits <paramref name="data"/> into a sequence whose segments have the given lengths, cycling through them.</summary>
    public static ReadOnlySequence<byte> Split(byte[] data, params int[] segmentLengths)
    {
        var segments = new List<byte[]>();
        for (int offset = 0, i = 0; offset < data.Length; i++)
        {
            int length = Math.Min(segmentLengths[i % segmentLengths.Length], data.Length - offset);
            segments.Add(data.AsSpan(offset, length).ToArray());
            offset += length;
        }

        return Create([.. segments]);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
