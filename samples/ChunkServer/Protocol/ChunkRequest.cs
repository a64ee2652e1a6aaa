using System.Buffers.Binary;
using System.Text;

namespace ChunkServer.Protocol;

/// <summary>
/// The book's <c>request_chunk(video_id, byte_offset, size)</c> on the wire, big-endian:
/// <c>[u8 id length][id, UTF-8][u64 byte offset][u32 size]</c>.
/// </summary>
public readonly record struct ChunkRequest(string VideoId, long ByteOffset, int Size)
{
    /// <summary>The longest video id, in UTF-8 bytes.</summary>
    public const int MaxVideoIdBytes = 255;

    /// <summary>The fixed part after the id: offset and size.</summary>
    public const int TailLength = sizeof(ulong) + sizeof(uint);

    /// <summary>The largest encoded request.</summary>
    public const int MaxLength = 1 + MaxVideoIdBytes + TailLength;

    /// <summary>Encodes the request into <paramref name="destination"/> and returns the bytes written.</summary>
    public int Encode(Span<byte> destination)
    {
        int idLength = Encoding.UTF8.GetBytes(VideoId, destination[1..]);
        if (idLength is 0 or > MaxVideoIdBytes)
        {
            throw new ArgumentException($"A video id is 1 to {MaxVideoIdBytes} UTF-8 bytes; '{VideoId}' is {idLength}.");
        }

        destination[0] = (byte)idLength;
        Span<byte> tail = destination.Slice(1 + idLength, TailLength);
        BinaryPrimitives.WriteInt64BigEndian(tail, ByteOffset);
        BinaryPrimitives.WriteInt32BigEndian(tail[sizeof(long)..], Size);
        return 1 + idLength + TailLength;
    }

    /// <summary>Decodes the part after the length byte: the id and the tail.</summary>
    public static ChunkRequest Decode(ReadOnlySpan<byte> idAndTail)
    {
        int idLength = idAndTail.Length - TailLength;
        ReadOnlySpan<byte> tail = idAndTail[idLength..];
        return new ChunkRequest(
            Encoding.UTF8.GetString(idAndTail[..idLength]),
            BinaryPrimitives.ReadInt64BigEndian(tail),
            BinaryPrimitives.ReadInt32BigEndian(tail[sizeof(long)..]));
    }
}
