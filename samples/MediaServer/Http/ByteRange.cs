namespace MediaServer.Http;

/// <summary>A satisfiable byte range of a representation: <c>[Offset, Offset + Length)</c>, never empty.</summary>
/// <param name="Offset">The first byte.</param>
/// <param name="Length">The number of bytes; positive.</param>
internal readonly record struct ByteRange(long Offset, long Length)
{
    /// <summary>The last byte (inclusive), as Content-Range writes it.</summary>
    public long Last => Offset + Length - 1;
}
