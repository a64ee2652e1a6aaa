using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace IoUringSend;

/// <summary>
/// The far end, in a process of its own so that its CPU is not the sender's: accepts loopback connections and drains each
/// on its own thread with blocking 1 MiB <c>recv(2)</c> (one copy out of the socket, as a real client's). Prints
/// <c>port N</c> once, then <c>bytes N</c> for each connection the sender closed.
/// </summary>
internal static class Receiver
{
    public static int Run()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(64);
        Console.Out.WriteLine($"port {((IPEndPoint)listener.LocalEndPoint!).Port}");
        Console.Out.Flush();
        var gate = new object();
        while (true)
        {
            Socket connection = listener.Accept();
            var thread = new Thread(() =>
            {
                byte[] buffer = new byte[1 << 20];
                long total = 0;
                try
                {
                    int received;
                    while ((received = connection.Receive(buffer)) > 0)
                    {
                        total += received;
                    }
                }
                catch (SocketException)
                {
                    total = -total - 1; // reported as a failure
                }
                finally
                {
                    connection.Dispose();
                }

                lock (gate)
                {
                    Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"bytes {total}"));
                    Console.Out.Flush();
                }
            })
            { IsBackground = true, Name = "drain" };
            thread.Start();
        }
    }
}
