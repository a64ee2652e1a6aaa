using System.Buffers.Binary;

namespace MediaServer.Media;

/// <summary>
/// Walks ISO base media (MP4) boxes inside a span: <c>size(4) type(4) [largesize(8)] body</c>, size 0 meaning "to the
/// end". Bounds-checked: a box that claims more bytes than there are throws <see cref="InvalidDataException"/>.
/// </summary>
internal ref struct Mp4Box
{
    public const uint Moov = 0x6D6F6F76; // 'moov'
    public const uint Trak = 0x7472616B; // 'trak'
    public const uint Mdia = 0x6D646961; // 'mdia'
    public const uint Mdhd = 0x6D646864; // 'mdhd'
    public const uint Hdlr = 0x68646C72; // 'hdlr'
    public const uint Minf = 0x6D696E66; // 'minf'
    public const uint Stbl = 0x7374626C; // 'stbl'
    public const uint Stts = 0x73747473; // 'stts'
    public const uint Ctts = 0x63747473; // 'ctts'
    public const uint Stss = 0x73747373; // 'stss'
    public const uint Stsc = 0x73747363; // 'stsc'
    public const uint Stsz = 0x7374737A; // 'stsz'
    public const uint Stco = 0x7374636F; // 'stco'
    public const uint Co64 = 0x636F3634; // 'co64'
    public const uint Vide = 0x76696465; // 'vide'

    private ReadOnlySpan<byte> _rest;

    public Mp4Box(ReadOnlySpan<byte> boxes) => _rest = boxes;

    /// <summary>Reads the next box: its type and its body (the bytes after the header).</summary>
    public bool TryReadNext(out uint type, out ReadOnlySpan<byte> body)
    {
        type = 0;
        body = default;
        if (_rest.Length < 8)
        {
            return false;
        }

        if (!TryReadHeader(_rest, _rest.Length, out type, out int headerSize, out long size) || size > _rest.Length)
        {
            throw new InvalidDataException($"box '{FourCC(type)}' of {size} bytes overruns its parent ({_rest.Length} bytes left)");
        }

        body = _rest[headerSize..(int)size];
        _rest = _rest[(int)size..];
        return true;
    }

    /// <summary>Reads a box header from <paramref name="header"/> (8 or 16 bytes), for a box that may extend over <paramref name="available"/> bytes.</summary>
    public static bool TryReadHeader(ReadOnlySpan<byte> header, long available, out uint type, out int headerSize, out long size)
    {
        size = BinaryPrimitives.ReadUInt32BigEndian(header);
        type = BinaryPrimitives.ReadUInt32BigEndian(header[4..]);
        headerSize = 8;
        if (size == 1)
        {
            if (header.Length < 16)
            {
                return false;
            }

            size = BinaryPrimitives.ReadInt64BigEndian(header[8..]);
            headerSize = 16;
        }
        else if (size == 0)
        {
            size = available;
        }

        return size >= headerSize;
    }

    /// <summary>The body of the first child of <paramref name="parent"/> with type <paramref name="type"/>.</summary>
    public static bool TryFind(ReadOnlySpan<byte> parent, uint type, out ReadOnlySpan<byte> body)
    {
        var reader = new Mp4Box(parent);
        while (reader.TryReadNext(out uint found, out body))
        {
            if (found == type)
            {
                return true;
            }
        }

        body = default;
        return false;
    }

    /// <summary>The body of the child <paramref name="type"/>, or an exception naming what is missing.</summary>
    public static ReadOnlySpan<byte> Find(ReadOnlySpan<byte> parent, uint type) =>
        TryFind(parent, type, out ReadOnlySpan<byte> body) ? body : throw new InvalidDataException($"no '{FourCC(type)}' box");

    public static string FourCC(uint type) => string.Create(4, type, static (chars, t) =>
    {
        for (int i = 0; i < 4; i++)
        {
            byte b = (byte)(t >> (24 - (8 * i)));
            chars[i] = b is >= 0x20 and < 0x7F ? (char)b : '?';
        }
    });
}
