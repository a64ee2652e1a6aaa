namespace ZeroCopy.Tests.Infrastructure;

/// <summary>A stream that serves the first <paramref name="throwAfter"/> bytes of its data, then throws <see cref="IOException"/> on every read.</summary>
internal sealed class ThrowingStream(byte[] data, int throwAfter) : ReadOnlyStreamBase
{
    public const string Message = "Injected read failure.";

    private int _position;

    protected override int ReadCore(Span<byte> buffer)
    {
        if (_position >= throwAfter)
        {
            throw new IOException(Message);
        }

        int count = Math.Min(buffer.Length, throwAfter - _position);
        data.AsSpan(_position, count).CopyTo(buffer);
        _position += count;
        return count;
    }
}
