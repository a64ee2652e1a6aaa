using System.Buffers;

namespace ZeroCopy;

/// <summary>A read-only, seekable stream over a <see cref="ReadOnlySequence{T}"/>: reads copy out only what the caller asks for.</summary>
/// <remarks>
/// Kept rather than CommunityToolkit.HighPerformance's <c>ReadOnlySequence&lt;byte&gt;.AsStream()</c> (8.4.2), which
/// overrides neither <see cref="Read(Span{byte})"/> nor <see cref="ReadAsync(Memory{byte}, CancellationToken)"/>: its span
/// reads copy through a pooled array and each of its asynchronous reads allocates a task. This one copies once, straight
/// into the caller's buffer, and allocates nothing per read (pinned by OpenReadStreamTests).
/// </remarks>
internal sealed class ReadOnlySequenceStream : Stream
{
    private readonly ReadOnlySequence<byte> _sequence;
    private long _position;
    private bool _disposed;

    public ReadOnlySequenceStream(ReadOnlySequence<byte> sequence) => _sequence = sequence;

    public override bool CanRead => !_disposed;

    public override bool CanSeek => !_disposed;

    public override bool CanWrite => false;

    public override long Length
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _sequence.Length;
        }
    }

    public override long Position
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _position;
        }

        set
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _position = value;
        }
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        return Read(buffer.AsSpan(offset, count));
    }

    public override int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        long available = _sequence.Length - _position;
        if (available <= 0)
        {
            return 0;
        }

        int count = (int)Math.Min(buffer.Length, available);
        _sequence.Slice(_position, count).CopyTo(buffer);
        _position += count;
        return count;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        ValidateBufferArguments(buffer, offset, count);
        return cancellationToken.IsCancellationRequested
            ? Task.FromCanceled<int>(cancellationToken)
            : Task.FromResult(Read(buffer.AsSpan(offset, count)));
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        cancellationToken.IsCancellationRequested
            ? ValueTask.FromCanceled<int>(cancellationToken)
            : new ValueTask<int>(Read(buffer.Span));

    public override long Seek(long offset, SeekOrigin origin)
    {
        long target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => Position + offset,
            SeekOrigin.End => Length + offset,
            _ => throw new ArgumentOutOfRangeException(nameof(origin), origin, "Unknown seek origin."),
        };
        Position = target;
        return target;
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException("The stream is read-only.");

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("The stream is read-only.");

    protected override void Dispose(bool disposing)
    {
        _disposed = true;
        base.Dispose(disposing);
    }
}
