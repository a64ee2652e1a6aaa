namespace ZeroCopy.Tests.Infrastructure;

/// <summary>
/// An endless ingest whose byte at stream position <c>p</c> is <see cref="ByteAt"/>(p). It writes the pattern only inside
/// a window of interest and otherwise just reports the bytes as read, so that gigabytes pass in a blink.
/// </summary>
internal sealed class LivePatternStream(long windowStart, long windowEnd) : Stream
{
    private long _position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public static byte ByteAt(long position) => (byte)((position * 131) ^ (position >> 13));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Span<byte> span = buffer.Span;
        long start = Math.Max(_position, windowStart);
        long end = Math.Min(_position + span.Length, windowEnd);
        for (long p = start; p < end; p++)
        {
            span[(int)(p - _position)] = ByteAt(p);
        }

        _position += span.Length;
        return new ValueTask<int>(span.Length);
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
