using System.Buffers;
using System.Runtime.CompilerServices;

namespace ZeroCopy;

/// <summary>
/// Read straight into caller-owned memory and write from it, over a <see cref="Stream"/>, with end of stream
/// reported as a value.
/// </summary>
/// <remarks>
/// For an at-least-N read, use the framework's <see cref="Stream.ReadAtLeastAsync(Memory{byte}, int, bool, CancellationToken)"/>
/// with <c>throwOnEndOfStream: false</c>; <see cref="ReadFullyAsync"/> is its fill-the-buffer form.
/// </remarks>
public static class StreamExtensions
{
    /// <summary>
    /// Reads into <paramref name="destination"/> through <see cref="Stream.ReadAsync(Memory{byte}, CancellationToken)"/>
    /// until it is full or the stream ends. Unlike <c>ReadExactlyAsync</c>, an early end is a value, not an exception.
    /// </summary>
    /// <param name="stream">A readable stream.</param>
    /// <param name="destination">Where the bytes land, in place.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The number of bytes read: <c>destination.Length</c>, or fewer only when the stream ended.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is <see langword="null"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    public static ValueTask<int> ReadFullyAsync(this Stream stream, Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return stream.ReadAtLeastAsync(destination, destination.Length, throwOnEndOfStream: false, cancellationToken);
    }

    /// <summary>
    /// Writes every byte of <paramref name="data"/> to <paramref name="stream"/>, straight from its memory, segment by
    /// segment in pieces of at most <see cref="SocketExtensions.DefaultMaxSendSize"/> bytes.
    /// </summary>
    /// <param name="stream">A writable stream.</param>
    /// <param name="data">The bytes to write; they must stay unchanged until the returned task completes.</param>
    /// <param name="cancellationToken">Cancels the write; part of the data may have been written.</param>
    /// <returns>A task that completes when the stream has accepted every byte.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is <see langword="null"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    public static ValueTask WriteAsync(this Stream stream, ReadOnlySequence<byte> data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (data.IsEmpty)
        {
            return cancellationToken.IsCancellationRequested ? ValueTask.FromCanceled(cancellationToken) : default;
        }

        if (data.IsSingleSegment && data.Length <= SocketExtensions.DefaultMaxSendSize)
        {
            return stream.WriteAsync(data.First, cancellationToken);
        }

        return Core(stream, data, cancellationToken);

        [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
        static async ValueTask Core(Stream stream, ReadOnlySequence<byte> data, CancellationToken cancellationToken)
        {
            foreach (ReadOnlyMemory<byte> segment in data)
            {
                for (ReadOnlyMemory<byte> rest = segment; !rest.IsEmpty;)
                {
                    int length = Math.Min(rest.Length, SocketExtensions.DefaultMaxSendSize);
                    await stream.WriteAsync(rest[..length], cancellationToken).ConfigureAwait(false);
                    rest = rest[length..];
                }
            }
        }
    }
}
