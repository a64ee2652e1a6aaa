using System.Net;
using System.Net.Sockets;

namespace ZeroCopy.Tests.Infrastructure;

/// <summary>
/// Two real TCP sockets connected to each other over 127.0.0.1 (the listener binds port 0, so tests never collide on
/// a port). <see cref="Client"/> and <see cref="Server"/> are interchangeable ends; the pair disposes both.
/// </summary>
internal sealed class LoopbackSocketPair : IDisposable
{
    private LoopbackSocketPair(Socket client, Socket server)
    {
        Client = client;
        Server = server;
    }

    /// <summary>The end that connected.</summary>
    public Socket Client { get; }

    /// <summary>The end that was accepted.</summary>
    public Socket Server { get; }

    /// <summary>Connects a pair, bounded by <paramref name="cancellationToken"/>.</summary>
    public static Task<LoopbackSocketPair> ConnectAsync(CancellationToken cancellationToken) => ConnectAsync(null, cancellationToken);

    /// <summary>
    /// Connects a pair, bounded by <paramref name="cancellationToken"/>. Small <paramref name="bufferSize"/>s make a send
    /// block soon after the peer stops reading.
    /// </summary>
    public static async Task<LoopbackSocketPair> ConnectAsync(int? bufferSize = null, CancellationToken cancellationToken = default)
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);

        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            SetBufferSizes(client, bufferSize);
            ValueTask<Socket> accept = listener.AcceptAsync(cancellationToken);
            await client.ConnectAsync(listener.LocalEndPoint!, cancellationToken);
            Socket server = await accept;
            server.NoDelay = true;
            SetBufferSizes(server, bufferSize);
            return new LoopbackSocketPair(client, server);
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    private static void SetBufferSizes(Socket socket, int? bufferSize)
    {
        if (bufferSize is int size)
        {
            socket.ReceiveBufferSize = size;
            socket.SendBufferSize = size;
        }
    }

    /// <summary>Sends <paramref name="data"/> from <paramref name="socket"/> in pieces of the given sizes, cycling through them.</summary>
    public static async Task SendInPiecesAsync(Socket socket, ReadOnlyMemory<byte> data, int[] pieceSizes, CancellationToken cancellationToken)
    {
        for (int i = 0; !data.IsEmpty; i++)
        {
            int size = Math.Min(pieceSizes[i % pieceSizes.Length], data.Length);
            ReadOnlyMemory<byte> piece = data[..size];
            while (!piece.IsEmpty)
            {
                int sent = await socket.SendAsync(piece, SocketFlags.None, cancellationToken);
                piece = piece[sent..];
            }

            data = data[size..];
        }
    }

    /// <summary>Receives exactly <paramref name="count"/> bytes (fails if the peer closes first), bounded by the token.</summary>
    public static async Task<byte[]> ReceiveExactlyAsync(Socket socket, int count, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[count];
        int received = await socket.ReceiveFullyAsync(buffer, cancellationToken);
        Assert.True(received == count, $"the peer closed after {received} of {count} bytes");
        return buffer;
    }

    /// <summary>Receives until the peer closes, bounded by <paramref name="cancellationToken"/>, and returns every byte.</summary>
    public static async Task<byte[]> ReceiveToEndAsync(Socket socket, CancellationToken cancellationToken)
    {
        using var received = new MemoryStream();
        byte[] buffer = new byte[64 * 1024];
        while (true)
        {
            int count = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
            if (count == 0)
            {
                return received.ToArray();
            }

            received.Write(buffer, 0, count);
        }
    }

    /// <summary>Receives until the peer closes or resets the connection and returns every byte that arrived before.</summary>
    public static async Task<byte[]> ReceiveUntilClosedOrResetAsync(Socket socket, CancellationToken cancellationToken)
    {
        using var received = new MemoryStream();
        byte[] buffer = new byte[64 * 1024];
        try
        {
            int count;
            while ((count = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken)) > 0)
            {
                received.Write(buffer, 0, count);
            }
        }
        catch (SocketException)
        {
            // A reset ends the stream too; what arrived before it is what counts.
        }

        return received.ToArray();
    }

    /// <summary>Waits, bounded by <see cref="TestTimeout.Duration"/>, until <paramref name="socket"/> has at least <paramref name="count"/> bytes queued.</summary>
    public static void WaitUntilAvailable(Socket socket, int count)
    {
        long deadline = Environment.TickCount64 + (long)TestTimeout.Duration.TotalMilliseconds;
        while (socket.Available < count)
        {
            if (Environment.TickCount64 > deadline)
            {
                throw new TimeoutException($"Only {socket.Available} of {count} bytes arrived within {TestTimeout.Duration}.");
            }

            Thread.Yield();
        }
    }

    /// <summary>Disposes both ends.</summary>
    public void Dispose()
    {
        Client.Dispose();
        Server.Dispose();
    }
}
