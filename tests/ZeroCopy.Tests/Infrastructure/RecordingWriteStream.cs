
namespace ZeroCopy.Tests.Infrastructure;

/// <summary>
/// A write-only stream that records every write: a copy of its bytes (for content checks), its size (for bounds
/// checks), and the array it was handed (to prove the writer passed its own memory, not a copy).
/// </summary>
internal sealed class RecordingWriteStream : Stream
{
    private readonly List<byte[]> _writes = [];
    private readonly List<ReadOnlyMemory<byte>> _sources = [];

    /// <summary>A copy of each write's bytes, in order.</summary>
    public IReadOnlyList<byte[]> Writes => _writes;

    /// <summary>The memory each write was handed (the caller's own, not a copy, when the writer is zero-copy).</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Sources => _sources;

    /// <summary>Every byte written, in order.</summary>
    public byte[] WrittenBytes => _writes.SelectMany(w => w).ToArray();

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Record(buffer.AsMemory(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer) => Record(buffer.ToArray());

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        Record(buffer);
        return default;
    }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    private void Record(ReadOnlyMemory<byte> buffer)
    {
        _writes.Add(buffer.ToArray());
        _sources.Add(buffer);
    }
}
