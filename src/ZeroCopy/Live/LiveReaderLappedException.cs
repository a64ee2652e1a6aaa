namespace ZeroCopy;

/// <summary>
/// Thrown to a <see cref="LiveReader"/> that the writer of its <see cref="LiveCache"/> lapped: the region it was reading
/// or sending from was reused (or was about to be) and the reader was cut off rather than allowed to see overwritten
/// bytes, or it lagged under <see cref="LaggingReaderPolicy.Disconnect"/>.
/// </summary>
/// <remarks>
/// The reader is finished: every later read, advance or send throws this exception again; dispose it. When the exception
/// comes from <see cref="LiveReader.SendToAsync"/>, the cache has shut the socket down (<see cref="System.Net.Sockets.Socket.Shutdown"/>,
/// both directions) so that no byte from the reused region can reach the peer; the caller still owns the socket and
/// disposes it. Bytes the reader obtained from <see cref="LiveReader.ReadAsync"/> since its last successful
/// <see cref="LiveReader.AdvanceTo"/> may be torn and must be discarded.
/// </remarks>
public sealed class LiveReaderLappedException : IOException
{
    /// <summary>Creates the exception with a default message.</summary>
    public LiveReaderLappedException()
        : base("The live reader was lapped by the writer and cut off.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What happened, with the positions involved.</param>
    public LiveReaderLappedException(string? message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the exception that surfaced the cut-off (for example, the failed send).</summary>
    /// <param name="message">What happened, with the positions involved.</param>
    /// <param name="innerException">The exception that surfaced the cut-off.</param>
    public LiveReaderLappedException(string? message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
