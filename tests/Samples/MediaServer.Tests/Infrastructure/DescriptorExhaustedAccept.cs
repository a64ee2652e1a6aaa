using System.Net.Sockets;

namespace MediaServer.Tests.Infrastructure;

/// <summary>
/// An accept for <c>TcpAcceptor</c> that fails as the kernel does when the process is out of descriptors
/// (<c>EMFILE</c>) for its first <paramref name="failures"/> calls, then accepts for real.
/// </summary>
public sealed class DescriptorExhaustedAccept(int failures)
{
    private int _calls;

    /// <summary>How many accepts were attempted, the failed ones included.</summary>
    public int Calls => Volatile.Read(ref _calls);

    public ValueTask<Socket> AcceptAsync(Socket listener, CancellationToken cancellationToken) =>
        Interlocked.Increment(ref _calls) <= failures
            ? ValueTask.FromException<Socket>(new SocketException((int)SocketError.TooManyOpenSockets))
            : listener.AcceptAsync(cancellationToken);
}
