using System.Globalization;
using System.Net.Sockets;
using System.Text;
using MediaServer.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace MediaServer.Tests.Server;

/// <summary>
/// What a kept-alive request costs the server's heap, counted over the whole process (the server runs in it, and this
/// class runs alone so nothing else allocates beside it) with a client that allocates nothing per request itself:
/// blocking socket calls on buffers made once. Windows of requests are measured after a warm-up, until one is within
/// its bound: code not yet recompiled by tiered compilation allocates where the optimized code does not (boxes it would
/// elide; it took up to 20,000 requests of a new path), and a one-off allocation of the runtime's can fall in a window.
/// A test fails when no window of 60,000 requests comes within the bound.
/// </summary>
[Collection(nameof(AllocationGroup))]
public sealed class RequestAllocationTests(RequestAllocationTests.QuietServerFixture server, ITestOutputHelper output)
    : IClassFixture<RequestAllocationTests.QuietServerFixture>, IDisposable
{
    private const int Warmup = 2000, Window = 2000, MaxWindows = 30;

    /// <summary>The server as a benchmark runs it: nothing logged per request.</summary>
    public sealed class QuietServerFixture : ServerFixture
    {
        protected override LogLevel MinimumLogLevel => LogLevel.Warning;
    }

    public void Dispose() => server.Logs.AssertNoFaults();

    [Theory]
    [InlineData("/videos/clip.mp4", "bytes=1000-66535")]
    [InlineData("/videos/clip.mp4", "bytes=0-")]
    [InlineData("/videos/clip.ts", "bytes=188-")]
    [InlineData("/videos/clip.mp4", "bytes=400000-404095")]
    public async Task ARequestSentAgainOnAKeptAliveConnectionAllocatesNothing(string target, string range)
    {
        using Socket socket = Connect();
        byte[] request = Encoding.ASCII.GetBytes(RawHttpConnection.Request("GET", target, "Range: " + range, "User-Agent: test"));
        byte[] response = new byte[ResponseLength(socket, request)];

        double[] windows = await Task.Run(() => Measure(bound: 1, () => Exchange(socket, request, request.Length, response, response.Length)));

        output.WriteLine($"GET {target} ({range}), {response.Length} bytes a response: [{string.Join(", ", windows.Select(w => w.ToString("0.0", CultureInfo.InvariantCulture)))}] B allocated per request");
        Assert.True(windows[^1] <= 1, $"allocated per request in each window: [{string.Join(", ", windows)}] B");
    }

    [Fact]
    public async Task ARangeNewToTheConnectionCostsOneStringOfItsValue()
    {
        // As a seeking player or the load benchmark asks: another range of the same video each time. The Range value is
        // the one field not seen before on the connection, and its string is the request's one allocation.
        const int FileSize = 684510, Length = 4096;
        using Socket socket = Connect();
        byte[] request = new byte[256];
        byte[] response = new byte[Length + 1024];
        var random = new Random(7);
        int headLength = ResponseLength(socket, Encoding.ASCII.GetBytes(RawHttpConnection.Request("GET", "/videos/clip.mp4", "Range: bytes=0-4095"))) - Length;

        double[] windows = await Task.Run(() => Measure(bound: 64, () =>
        {
            int first = random.Next(FileSize / 2, FileSize - Length); // six digits: every head has the same length
            Exchange(socket, request, WriteRangeRequest(request, first, first + Length - 1), response, headLength + Length);
        }));

        // A string of "bytes=NNNNNN-NNNNNN" (19 chars) is 22 + 2 × 19 = 60 bytes, 64 with alignment.
        output.WriteLine($"random 4 KiB ranges of clip.mp4: [{string.Join(", ", windows.Select(w => w.ToString("0.0", CultureInfo.InvariantCulture)))}] B allocated per request");
        Assert.True(windows[^1] <= 64, $"allocated per request in each window: [{string.Join(", ", windows)}] B");
    }

    /// <summary>
    /// Writes a GET of bytes <paramref name="first"/>-<paramref name="last"/> of clip.mp4 into <paramref name="request"/>;
    /// its length. Each number formatted on its own: the client's own allocation must not count, and an interpolated
    /// <c>Utf8.TryWrite</c> boxes its numbers until tiered compilation optimizes it.
    /// </summary>
    private static int WriteRangeRequest(byte[] request, int first, int last)
    {
        Span<byte> rest = request;
        Take(ref rest, "GET /videos/clip.mp4 HTTP/1.1\r\nHost: 127.0.0.1\r\nRange: bytes="u8);
        Assert.True(first.TryFormat(rest, out int written, provider: CultureInfo.InvariantCulture));
        rest = rest[written..];
        Take(ref rest, "-"u8);
        Assert.True(last.TryFormat(rest, out written, provider: CultureInfo.InvariantCulture));
        rest = rest[written..];
        Take(ref rest, "\r\n\r\n"u8);
        return request.Length - rest.Length;

        static void Take(ref Span<byte> rest, ReadOnlySpan<byte> text)
        {
            text.CopyTo(rest);
            rest = rest[text.Length..];
        }
    }

    private Socket Connect()
    {
        var socket = new Socket(server.HttpEndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveTimeout = 10_000, SendTimeout = 10_000 };
        socket.Connect(server.HttpEndPoint); // Blocking: its sends and receives allocate nothing (an async-connected socket's do).
        return socket;
    }

    /// <summary>
    /// Runs <paramref name="exchange"/> for the warm-up, then in windows until one allocates at most <paramref name="bound"/>
    /// bytes per request (or <see cref="MaxWindows"/> have run); the bytes allocated per request in each window.
    /// </summary>
    private static double[] Measure(double bound, Action exchange)
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

    /// <summary>The length of the whole response (head and body) to <paramref name="request"/>.</summary>
    private static int ResponseLength(Socket socket, byte[] request)
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
        Assert.StartsWith("HTTP/1.1 206 ", text, StringComparison.Ordinal);
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

    private static void Exchange(Socket socket, byte[] request, int requestLength, byte[] response, int responseLength)
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
