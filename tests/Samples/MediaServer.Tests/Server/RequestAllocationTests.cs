using System.Globalization;
using System.Net.Sockets;
using System.Text;
using MediaServer.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace MediaServer.Tests.Server;

/// <summary>
/// What a kept-alive request for a video costs the server's heap, counted over the whole process by
/// <see cref="AllocationMeter"/> (alone after the suite, so nothing else allocates beside it).
/// </summary>
[Collection(nameof(AllocationGroup))]
public sealed class RequestAllocationTests(RequestAllocationTests.QuietServerFixture server, ITestOutputHelper output)
    : IClassFixture<RequestAllocationTests.QuietServerFixture>, IDisposable
{
    /// <summary>The server as a benchmark runs it: nothing logged per request.</summary>
    public sealed class QuietServerFixture : ServerFixture
    {
        protected override LogLevel MinimumLogLevel => LogLevel.Warning;
    }

    public void Dispose() => server.Logs.AssertNoFaults();

    [Theory]
    [InlineData("/videos/clip.mp4", "bytes=1000-66535", 206)]
    [InlineData("/videos/clip.mp4", "bytes=0-", 206)]
    [InlineData("/videos/clip.ts", "bytes=188-", 206)]
    [InlineData("/videos/clip.mp4", "bytes=400000-404095", 206)]
    [InlineData("/videos/clip.mp4/chunk?t=00:00:01:00&size=65536", null, 206)]
    [InlineData("/videos/clip.ts/index.m3u8", null, 200)]
    public async Task ARequestSentAgainOnAKeptAliveConnectionAllocatesNothing(string target, string? range, int status)
    {
        using Socket socket = AllocationMeter.Connect(server.HttpEndPoint);
        byte[] request = Encoding.ASCII.GetBytes(range is null
            ? RawHttpConnection.Request("GET", target, "User-Agent: test")
            : RawHttpConnection.Request("GET", target, "Range: " + range, "User-Agent: test"));
        byte[] response = new byte[AllocationMeter.ResponseLength(socket, request, expectedStatus: status)];

        double[] windows = await Task.Run(() => AllocationMeter.Measure(bound: 1, () => AllocationMeter.Exchange(socket, request, request.Length, response, response.Length)));

        output.WriteLine($"GET {target} ({range ?? "no Range"}), {response.Length} bytes a response: {AllocationMeter.Format(windows)}");
        Assert.True(windows[^1] <= 1, $"allocated per request in each window: [{string.Join(", ", windows)}] B");
    }

    // A string of "bytes=NNNNNN-NNNNNN" (19 chars): 22 + 2 × 19 = 60 bytes, 64 with alignment.
    private const int OneRangeString = 64;

    [Fact]
    public async Task ARangeNewToTheConnectionCostsOneStringOfItsValue()
    {
        // As a seeking player or the load benchmark asks: another range of the same video each time. The Range value is
        // the one field not seen before on the connection, and its string is the request's one allocation.
        const int FileSize = 684510, Length = 4096;
        using Socket socket = AllocationMeter.Connect(server.HttpEndPoint);
        byte[] request = new byte[256];
        byte[] response = new byte[Length + 1024];
        var random = new Random(7);
        int headLength = AllocationMeter.ResponseLength(socket, Encoding.ASCII.GetBytes(RawHttpConnection.Request("GET", "/videos/clip.mp4", "Range: bytes=0-4095")), expectedStatus: 206) - Length;

        double[] windows = await Task.Run(() => AllocationMeter.Measure(bound: OneRangeString + 8, () =>
        {
            int first = random.Next(FileSize / 2, FileSize - Length); // six digits: every head has the same length
            AllocationMeter.Exchange(socket, request, WriteRangeRequest(request, first, first + Length - 1), response, headLength + Length);
        }));

        // The Range string and under 8 B a request of anything else (a window's share of the runtime's own, now and then).
        output.WriteLine($"random 4 KiB ranges of clip.mp4: {AllocationMeter.Format(windows)}");
        Assert.True(windows[^1] <= OneRangeString + 8, $"allocated per request in each window: [{string.Join(", ", windows)}] B");
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
}
