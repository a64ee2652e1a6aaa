using System.Net;
using System.Net.Sockets;

namespace ZeroCopy.Tests.Infrastructure;

/// <summary>A connected pair of real TCP sockets on 127.0.0.1 (port 0): the cache's side and the peer's side.</summary>
internal sealed class LiveLoopback : IDisposable
{
    private LiveLoopback(Socket server, Socket client)
    {
        Server = server;
        Client = client;
    }

    /// <summary>The accepted socket (the cache sends on it, or receives the ingest from it).</summary>
    public Socket Server { get; }

    /// <summary>The connecting socket (the viewer, or the encoder).</summary>
    public Socket Client { get; }

    /// <summary>Connects a pair; small buffers make a send block soon after the peer stops reading.</summary>
    public static async Task<LiveLoopback> ConnectAsync(int? bufferSize = null)
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        if (bufferSize is int size)
        {
            client.ReceiveBufferSize = size;
            client.SendBufferSize = size;
        }

        Task<Socket> accept = listener.AcceptAsync();
        await client.ConnectAsync(listener.LocalEndPoint!);
        Socket server = await accept;
        server.NoDelay = true;
        if (bufferSize is int serverSize)
        {
            server.SendBufferSize = serverSize;
            server.ReceiveBufferSize = serverSize;
        }

        return new LiveLoopback(server, client);
    }

    /// <summary>Receives on <see cref="Client"/> until the peer closes or the connection fails; returns everything received.</summary>
    public static async Task<byte[]> ReceiveAllAsync(Socket socket, CancellationToken cancellationToken)
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

    public void Dispose()
    {
        Server.Dispose();
        Client.Dispose();
    }
}
