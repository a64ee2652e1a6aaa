using System.Security.Cryptography;
using MediaServer.Cli;
using MediaServer.Tests.Infrastructure;
using ZeroCopy;

namespace MediaServer.Tests.Server;

/// <summary>
/// The media server's main path on Linux: a video mapped from its file, served on the library's socket loop. A long range
/// leaves with <c>sendfile(2)</c>, a short one with its response head in one <c>sendmsg(2)</c>, and a kept-alive
/// connection waits for its next request on the loop, never on the thread pool. The library's counters are process-wide,
/// so these tests run alone.
/// </summary>
[Collection(nameof(SendfileCounterTestGroup))]
public sealed class SendfileRangeTests(SendfileRangeTests.LargeVideoServer server) : IClassFixture<SendfileRangeTests.LargeVideoServer>, IDisposable
{
    public void Dispose() => server.Logs.AssertNoFaults();

    [Theory]
    [InlineData(100_000, 5 * 1024 * 1024)] // a seek's long range: sendfile(2) in pieces of at most 2 MiB
    [InlineData(3_000_001, 1024 * 1024)] // one piece: still sendfile(2), which costs no more than send(2) on the loop
    [InlineData(7 * 1024 * 1024, 1024)] // short: the head and the range in one sendmsg(2)
    public async Task ARangeOfAMappedVideoIsByteExactAndLeavesThroughTheSystemCallTheLibraryChoseForItsLength(long offset, int length)
    {
        Assert.True(SocketLoop.IsEnabled, "the media server runs on the library's socket loop on Linux, where these tests run");
        using RawHttpConnection connection = await RawHttpConnection.ConnectAsync(server.HttpEndPoint);
        SocketLoopCounters before = SocketLoop.GetCounters();

        await connection.SendAsync(RawHttpConnection.Request("GET", $"/videos/{LargeVideoServer.Name}", $"Range: bytes={offset}-{offset + length - 1}"));
        RawResponse response = await connection.ReadResponseAsync();

        Assert.Equal(206, response.Status);
        Assert.Equal(SHA256.HashData(server.Content.AsSpan((int)offset, length)), SHA256.HashData(response.Body));
        SocketLoopCounters used = SocketLoop.GetCounters() - before;
        if (length > 64 * 1024)
        {
            int piece = new MediaServer.Http.HttpLimits().SendOptions.MaxPieceSize;
            long pieces = (length + piece - 1) / piece;
            Assert.True(used.SendFileCalls >= pieces, $"{used.SendFileCalls} sendfile calls for a {length}-byte range of {piece}-byte pieces");
            Assert.Equal(1, used.SendCalls); // the head, with MSG_MORE
        }
        else
        {
            Assert.Equal(0, used.SendFileCalls);
            Assert.Equal(1, used.SendCalls); // head and body gathered
        }
    }

    [Fact]
    public async Task KeptAliveRequestsWaitAndAreServedOnTheSocketLoopWithNoFrameworkHandOff()
    {
        const int Requests = 40;
        const int Length = 1024 * 1024;
        using RawHttpConnection connection = await RawHttpConnection.ConnectAsync(server.HttpEndPoint);
        await connection.SendAsync(RawHttpConnection.Request("GET", $"/videos/{LargeVideoServer.Name}", "Range: bytes=0-0"));
        Assert.Equal(206, (await connection.ReadResponseAsync()).Status); // the connection is accepted and kept alive
        var random = new Random(11);
        SocketLoopCounters before = SocketLoop.GetCounters();

        for (int i = 0; i < Requests; i++)
        {
            int offset = random.Next(0, server.Content.Length - Length);
            await connection.SendAsync(RawHttpConnection.Request("GET", $"/videos/{LargeVideoServer.Name}", $"Range: bytes={offset}-{offset + Length - 1}"));
            RawResponse response = await connection.ReadResponseAsync();
            Assert.Equal(206, response.Status);
            Assert.Equal(SHA256.HashData(server.Content.AsSpan(offset, Length)), SHA256.HashData(response.Body));
        }

        SocketLoopCounters used = SocketLoop.GetCounters() - before;
        Assert.Equal(0, used.Faults);
        // Every request was awaited on the loop (the idle wait for it) and continued there: one turn each at least.
        Assert.True(used.Turns >= Requests, $"{used.Turns} loop turns for {Requests} kept-alive requests");
        Assert.True(used.ReceiveCalls <= 2 * Requests, $"{used.ReceiveCalls} receive calls for {Requests} requests");
    }

    /// <summary>A media server whose media folder holds one 8 MiB "video" of random bytes.</summary>
    public sealed class LargeVideoServer : ServerFixture
    {
        public const string Name = "large.webm"; // random bytes: a WebM is served as it is, with no index

        private readonly string _media = Directory.CreateTempSubdirectory("zerocopy-sendfile-").FullName;

        public LargeVideoServer()
        {
            Content = new byte[8 * 1024 * 1024];
            new Random(7).NextBytes(Content);
            File.WriteAllBytes(Path.Combine(_media, Name), Content);
        }

        public byte[] Content { get; }

        internal override MediaServerOptions Configure(MediaServerOptions options) => options with { MediaDirectory = _media, MapMemory = true };

        public override async ValueTask DisposeAsync()
        {
            await base.DisposeAsync();
            Directory.Delete(_media, recursive: true);
        }
    }
}

/// <summary>Runs the tests that read the library's process-wide sendfile count alone.</summary>
[CollectionDefinition(nameof(SendfileCounterTestGroup), DisableParallelization = true)]
public sealed class SendfileCounterTestGroup;
