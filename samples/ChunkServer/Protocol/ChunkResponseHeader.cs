using System.Buffers.Binary;

namespace ChunkServer.Protocol;

/// <summary>The header of every response, big-endian: <c>[u8 status][u64 length]</c>; an Ok header is followed by the chunk.</summary>
public readonly record struct ChunkResponseHeader(ChunkStatus Status, long Length)
{
    /// <summary>The header's size on the wire.</summary>
    public const int Size = 1 + sizeof(long);

    /// <summary>Encodes the header into the first <see cref="Size"/> bytes of <paramref name="destination"/>.</summary>
    public void Encode(Span<byte> destination)
    {
        destination[0] = (byte)Status;
        BinaryPrimitives.WriteInt64BigEndian(destination[1..Size], Length);
    }

    /// <summary>Decodes a header.</summary>
    public static ChunkResponseHeader Decode(ReadOnlySpan<byte> source) =>
        new((ChunkStatus)source[0], BinaryPrimitives.ReadInt64BigEndian(source[1..Size]));
}
