namespace ZeroCopy;

/// <summary>
/// Receives one message of a message-oriented transport (an SRT or UDP datagram) into <paramref name="destination"/>, for
/// <see cref="LiveCache.ReceiveMessageInto{TState}"/>: the destination is the ring's own memory, so the transport's
/// receive call writes where the viewers read.
/// </summary>
/// <typeparam name="TState">What the receive needs, passed through so that no closure is allocated.</typeparam>
/// <param name="destination">Where to write the message: valid only during the call; never keep it.</param>
/// <param name="state">The state given to <see cref="LiveCache.ReceiveMessageInto{TState}"/>.</param>
/// <returns>The bytes written at the start of <paramref name="destination"/>; 0 when nothing was received.</returns>
public delegate int MessageReceiver<TState>(Span<byte> destination, TState state);
