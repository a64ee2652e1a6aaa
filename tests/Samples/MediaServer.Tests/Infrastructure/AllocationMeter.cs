using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MediaServer.Tests.Infrastructure;

/// <summary>
/// Counts what kept-alive requests cost the heap of this process, where the server runs (tests using it run alone:
/// <c>AllocationGroup</c>), with a client that allocates nothing per request itself: a blocking socket and buffers made
/// once. Windows of requests are measured after a warm-up, until one is within its bound: code not yet recompiled by
/// tiered compilation allocates where the optimized code does not (boxes it would elide; it took up to 20,000 requests of
/// a new path), and a one-off allocation of the runtime's can fall in a window. The caller fails when no window of
/// <see cref="MaxWindows"/> came within the bound.
/// </summary>
public static class AllocationMeter
{
    private const int Warmup = 2000, Window = 2000;

    /// <summary>The most windows measured.</summary>
    public const int MaxWindows = 30;

    /// <summary>A blocking connection to <paramref name="endPoint"/>: its sends and receives allocate nothing (an asynchronously connected socket's do).</summary>
    public static Socket Connect(IPEndPoint endPoint)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveTimeout = 10_000, SendTimeout = 10_000 };
        socket.Connect(endPoint);
        return socket;
    }

    /// <summary>
    /// Runs <paramref name="exchange"/> for the warm-up, then in windows until one allocates at most <paramref name="bound"/>
    /// bytes per request (or <see cref="MaxWindows"/> have run); the bytes allocated per request in each window.
    /// </summary>
    public static double[] Measure(double bound, Action exchange)
    {
        for (int i = 0; i < Warmup; i++)
        {
            exchange();
        }

        var windows = new List<double>();
        while (windows.Count < MaxWindows && (windows.Count == 0 || windows[^1] > bound))
        {
            long before = GC.GetTotalAllocatedBytes(precise: true);
            for (int i = 0; i < Window; i++)
            {
                exchange();
            }

            windows.Add((GC.GetTotalAllocatedBytes(precise: true) - before) / (double)Window);
        }

        return [.. windows];
    }

    /// <summary>The windows as a log line shows them.</summary>
    public static string Format(double[] windows) => $"[{string.Join(", ", windows.Select(w => w.ToString("0.0", CultureInfo.InvariantCulture)))}] B allocated per request";

    /// <summary>Sends <paramref name="request"/> and reads its whole response (the body by Content-Length); the response's length, head and body.</summary>
    public static int ResponseLength(Socket socket, byte[] request, int expectedStatus)
    {
        socket.Send(request);
        var head = new List<byte>();
        byte[] one = new byte[1];
        while (head.Count < 4 || head[^4] != '\r' || head[^3] != '\n' || head[^2] != '\r' || head[^1] != '\n')
        {
            Assert.Equal(1, socket.Receive(one));
            head.Add(one[0]);
        }

        string text = Encoding.ASCII.GetString([.. head]);
        Assert.StartsWith($"HTTP/1.1 {expectedStatus} ", text, StringComparison.Ordinal);
        int body = int.Parse(text.Split("\r\n").Single(line => line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))["Content-Length:".Length..].Trim(), CultureInfo.InvariantCulture);
        byte[] sink = new byte[body];
        for (int read = 0; read < body;)
        {
            int n = socket.Receive(sink, read, body - read, SocketFlags.None);
            Assert.True(n > 0, "the server closed the connection");
            read += n;
        }

        return head.Count + body;
    }

    /// <summary>Sends the request's first <paramref name="requestLength"/> bytes and reads exactly <paramref name="responseLength"/> bytes of answer.</summary>
    public static void Exchange(Socket socket, byte[] request, int requestLength, byte[] response, int responseLength)
    {
        socket.Send(request, 0, requestLength, SocketFlags.None);
        for (int read = 0; read < responseLength;)
        {
            int n = socket.Receive(response, read, responseLength - read, SocketFlags.None);
            if (n <= 0)
            {
                throw new IOException("the server closed the connection");
            }

            read += n;
        }
    }
}
