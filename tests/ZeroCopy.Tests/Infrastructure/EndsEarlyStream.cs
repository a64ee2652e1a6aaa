namespace ZeroCopy.Tests.Infrastructure;

/// <summary>
/// A stream that announces <paramref name="announcedLength"/> bytes but ends (reads return 0) after its data,
/// like a file truncated while it is read. Reads return at most <paramref name="maxReadSize"/> bytes.
/// </summary>
internal sealed class EndsEarlyStream(byte[] data, long announcedLength, int maxReadSize = int.MaxValue) : ReadOnlyStreamBase
{
    private int _position;

    public override long Length => announcedLength;

    protected override int ReadCore(Span<byte> buffer)
    {
        int count = Math.Min(Math.Min(buffer.Length, maxReadSize), data.Length - _position);
        data.AsSpan(_position, count).CopyTo(buffer);
        _position += count;
        return count;
    }
}
