namespace ZeroCopy.Tests.Infrastructure;

/// <summary>
/// A stream that serves its prefix, then never completes a read until the read is canceled: a source that went
/// silent mid-transfer. <see cref="Stalled"/> completes when a read starts waiting.
/// </summary>
internal sealed class StallingStream(byte[] prefix) : ReadOnlyStreamBase
{
    private readonly TaskCompletionSource _stalled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _position;

    /// <summary>Completes when the prefix has been served and a read is waiting.</summary>
    public Task Stalled => _stalled.Task;

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_position < prefix.Length)
        {
            return base.ReadAsync(buffer, cancellationToken);
        }

        return WaitForeverAsync(cancellationToken);
    }

    protected override int ReadCore(Span<byte> buffer)
    {
        if (_position == prefix.Length)
        {
            throw new InvalidOperationException("A synchronous read would block forever.");
        }

        int count = Math.Min(buffer.Length, prefix.Length - _position);
        prefix.AsSpan(_position, count).CopyTo(buffer);
        _position += count;
        return count;
    }

    private async ValueTask<int> WaitForeverAsync(CancellationToken cancellationToken)
    {
        _stalled.TrySetResult();
        await Task.Delay(Timeout.Infinite, cancellationToken);
        throw new InvalidOperationException("Unreachable: the delay only ends by cancellation.");
    }
}
