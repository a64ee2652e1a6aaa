namespace ZeroCopy.Tests.Infrastructure;

/// <summary>
/// A stream that hands out its data one byte per read, however large the caller's buffer: the worst legal reader.
/// With <paramref name="asynchronous"/>, every asynchronous read also completes asynchronously.
/// </summary>
internal sealed class OneBytePerReadStream(byte[] data, bool asynchronous = false) : ReadOnlyStreamBase
{
    private int _position;

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        asynchronous ? YieldThenReadAsync(buffer, cancellationToken) : base.ReadAsync(buffer, cancellationToken);

    protected override int ReadCore(Span<byte> buffer)
    {
        if (buffer.IsEmpty || _position == data.Length)
        {
            return 0;
        }

        buffer[0] = data[_position++];
        return 1;
    }

    private async ValueTask<int> YieldThenReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        await Task.Yield();
        return await base.ReadAsync(buffer, cancellationToken);
    }
}
