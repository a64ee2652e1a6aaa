namespace ZeroCopy.Benchmarks.Infrastructure;

/// <summary>
/// The book's fake socket as a <see cref="Stream"/>: serves bytes from memory, forever, so that a read costs only the
/// copy into the caller's buffer and no kernel is involved.
/// </summary>
/// <remarks>
/// Reads wrap around a source buffer larger than the CPU's caches, so a benchmark's copies come from memory rather
/// than from a warm cache line. Reads complete synchronously and allocate nothing.
/// </remarks>
internal sealed class InMemorySourceStream : Stream
{
    private readonly byte[] _source;
    private int _position;

    /// <summary>Creates a source over <paramref name="sourceSize"/> random bytes.</summary>
    /// <param name="sourceSize">The size of the buffer the reads wrap around.</param>
    public InMemorySourceStream(int sourceSize = 32 * 1024 * 1024)
    {
        _source = new byte[sourceSize];
        new Random(11).NextBytes(_source);
    }

    /// <summary>The buffer the reads come from.</summary>
    public Memory<byte> SourceMemory => _source;

    /// <inheritdoc/>
    public override bool CanRead => true;

    /// <inheritdoc/>
    public override bool CanSeek => false;

    /// <inheritdoc/>
    public override bool CanWrite => false;

    /// <inheritdoc/>
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc/>
    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <inheritdoc/>
    public override int Read(Span<byte> buffer)
    {
        int count = Math.Min(buffer.Length, _source.Length - _position);
        _source.AsSpan(_position, count).CopyTo(buffer);
        _position = (_position + count) % _source.Length;
        return count;
    }

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc/>
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        cancellationToken.IsCancellationRequested ? ValueTask.FromCanceled<int>(cancellationToken) : new ValueTask<int>(Read(buffer.Span));

    /// <inheritdoc/>
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc/>
    public override void Flush()
    {
    }

    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
