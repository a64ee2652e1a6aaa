using ZeroCopy.Internal;

namespace ZeroCopy;

/// <summary>
/// What a server chooses about a send from a cache: how much one system call may move, and how long the peer may take no
/// bytes before the send gives up. Everything else (when to use <c>sendfile(2)</c>, how to gather a response head with
/// its body) is the library's decision, the same for every send.
/// </summary>
/// <remarks>Immutable once built; share one instance between all sends with the same policy. <see cref="Default"/> costs nothing.</remarks>
/// <example>
/// <code>
/// var options = new SendOptions { StallTimeout = TimeSpan.FromSeconds(30) };
/// await cache.SendWithHeadAsync(socket, responseHead, offset, length, options, cancellationToken);
/// </code>
/// </example>
public sealed class SendOptions
{
    private static SendOptions? s_lastForPieceSize;

    private readonly int _maxPieceSize = SocketExtensions.DefaultMaxSendSize;
    private readonly TimeSpan _stallTimeout = Timeout.InfiniteTimeSpan;

    /// <summary>No stall timeout, pieces of <see cref="SocketExtensions.DefaultMaxSendSize"/>.</summary>
    public static SendOptions Default { get; } = new();

    /// <summary>
    /// The most bytes one system call moves (default <see cref="SocketExtensions.DefaultMaxSendSize"/>, 1 MiB). After a
    /// full piece the sender lets the other sockets of its loop go first (as nginx's <c>sendfile_max_chunk</c> does), so
    /// one fast reader of a long range does not starve the rest.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public int MaxPieceSize
    {
        get => _maxPieceSize;
        init
        {
            if (value <= 0)
            {
                ThrowHelper.ArgumentOutOfRange(nameof(MaxPieceSize), value, "must be positive");
            }

            _maxPieceSize = value;
        }
    }

    /// <summary>
    /// How long a send may make no progress (the peer accepting no byte) before it fails with
    /// <see cref="TimeoutException"/>; <see cref="Timeout.InfiniteTimeSpan"/> (the default) for never. The clock restarts
    /// with every byte accepted on the socket loop (checked every 100 ms), and with every call of at most the socket's send
    /// buffer through the framework, so a slow reader is not cut off, only a stalled one.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is neither positive nor <see cref="Timeout.InfiniteTimeSpan"/>.</exception>
    public TimeSpan StallTimeout
    {
        get => _stallTimeout;
        init
        {
            if (value <= TimeSpan.Zero && value != Timeout.InfiniteTimeSpan)
            {
                ThrowHelper.ArgumentOutOfRange(nameof(StallTimeout), value, "must be positive or Timeout.InfiniteTimeSpan");
            }

            _stallTimeout = value;
        }
    }

    /// <summary>Options with <paramref name="maxPieceSize"/> and no stall timeout: the last one made is reused, so a caller that always asks for the same size allocates once.</summary>
    internal static SendOptions ForPieceSize(int maxPieceSize)
    {
        if (maxPieceSize == Default.MaxPieceSize)
        {
            return Default;
        }

        SendOptions? last = s_lastForPieceSize;
        if (last is null || last.MaxPieceSize != maxPieceSize)
        {
            last = new SendOptions { MaxPieceSize = maxPieceSize };
            s_lastForPieceSize = last;
        }

        return last;
    }

    /// <summary>Whether <see cref="StallTimeout"/> is finite.</summary>
    internal bool HasStallTimeout => _stallTimeout != Timeout.InfiniteTimeSpan;

    /// <summary>The deadline of a wait that starts now (<see cref="Environment.TickCount64"/>), or <see cref="long.MaxValue"/>.</summary>
    internal long DeadlineFromNow() => HasStallTimeout ? Environment.TickCount64 + (long)_stallTimeout.TotalMilliseconds : long.MaxValue;

    /// <inheritdoc/>
    public override string ToString() =>
        $"SendOptions(MaxPieceSize = {_maxPieceSize}, StallTimeout = {(HasStallTimeout ? _stallTimeout.ToString() : "infinite")})";
}
