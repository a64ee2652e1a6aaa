using System.Net;
using System.Net.Sockets;

namespace ZeroCopy.Benchmarks.Infrastructure;

/// <summary>
/// A real TCP connection over 127.0.0.1 whose far end never stops sending: the benchmark receives from
/// <see cref="Receiver"/> while a sender on its own thread keeps the connection full.
/// </summary>
/// <remarks>
/// The sender uses blocking sends of one pre-filled buffer on a dedicated thread: it allocates nothing (so the
/// memory diagnoser, which counts every thread, sees only the receiver's allocations) and takes no thread-pool
/// thread from the receiver's completions.
/// </remarks>
internal sealed class LoopbackConnection : IDisposable
{
    private readonly Socket _sender;
    private readonly Task _sending;

    private LoopbackConnection(Socket receiver, Socket sender, byte[] data)
    {
        Receiver = receiver;
        _sender = sender;
        _sending = Task.Factory.StartNew(() => SendForever(sender, data), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>The receiving end, connected; data is always on its way.</summary>
    public Socket Receiver { get; }

    /// <summary>Connects a pair of sockets on 127.0.0.1 and starts the sender.</summary>
    /// <param name="sendSize">The size of each blocking send.</param>
    /// <returns>The connection; dispose it to stop the sender.</returns>
    public static LoopbackConnection Open(int sendSize = 1024 * 1024)
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);

        var receiver = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        receiver.Connect(listener.LocalEndPoint!);
        Socket sender = listener.Accept();

        byte[] data = new byte[sendSize];
        new Random(7).NextBytes(data);
        return new LoopbackConnection(receiver, sender, data);
    }

    /// <summary>Closes both ends and waits for the sender to stop.</summary>
    public void Dispose()
    {
        Receiver.Dispose();
        _sender.Dispose();
        _sending.Wait(TimeSpan.FromSeconds(10));
    }

    private static void SendForever(Socket sender, byte[] data)
    {
        try
        {
            while (true)
            {
                sender.Send(data);
            }
        }
        catch (SocketException)
        {
            // The receiver closed: the benchmark is over.
        }
        catch (ObjectDisposedException)
        {
            // Dispose closed the sender.
        }
    }
}
