using System.Net.Sockets;
using MediaServer.Hosting;

namespace MediaServer.Tests.Hosting;

/// <summary>Which ends of socket I/O every transport treats as a disconnect (logged as such) rather than a fault.</summary>
public sealed class SocketErrorsTests
{
    public static TheoryData<SocketError> DisconnectErrors =>
        [SocketError.ConnectionReset, SocketError.ConnectionAborted, SocketError.Shutdown, SocketError.OperationAborted, SocketError.TimedOut, SocketError.Interrupted];

    [Theory]
    [MemberData(nameof(DisconnectErrors))]
    public void APeerGoingAwayIsADisconnectBareOrWrappedByAStream(SocketError error)
    {
        Assert.True(SocketErrors.IsDisconnect(new SocketException((int)error)));
        Assert.True(SocketErrors.IsDisconnect(new IOException("wrapped", new SocketException((int)error))));
    }

    [Fact]
    public void ATimeoutOrTheServerStoppingIsADisconnect()
    {
        Assert.True(SocketErrors.IsDisconnect(new OperationCanceledException()));
        Assert.True(SocketErrors.IsDisconnect(new TaskCanceledException()));
        Assert.True(SocketErrors.IsDisconnect(new ObjectDisposedException("socket")));
    }

    [Fact]
    public void OtherFailuresAreFaults()
    {
        Assert.False(SocketErrors.IsDisconnect(new SocketException((int)SocketError.AccessDenied)));
        Assert.False(SocketErrors.IsDisconnect(new IOException("disk")));
        Assert.False(SocketErrors.IsDisconnect(new InvalidDataException("bad framing")));
        Assert.False(SocketErrors.IsDisconnect(new InvalidOperationException()));
    }
}
