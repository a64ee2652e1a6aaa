using System.Reflection;
using System.Security.Cryptography;
using MediaServer.Tests.Infrastructure;

namespace MediaServer.Tests.Server;

/// <summary>
/// The media server's main path on Linux: a video mapped from its file, a long range sent with <c>sendfile(2)</c>, a range
/// of one send piece or less with one <c>send(2)</c>. The library's count of sendfile pieces is process-wide, so these
/// tests run alone.
/// </summary>
[Collection(nameof(SendfileCounterTestGroup))]
public sealed class SendfileRangeTests(SendfileRangeTests.LargeVideoServer server) : IClassFixture<SendfileRangeTests.LargeVideoServer>, IDisposable
{
    public void Dispose() => server.Logs.AssertNoFaults();

    [Theory]
    [InlineData(100_000, 5 * 1024 * 1024, true)] // a seek's long range: sendfile(2)
    [InlineData(3_000_001, 1024 * 1024, false)] // one piece: send(2), which completes inline
    [InlineData(7 * 1024 * 1024, 1024, false)]
    public async Task ARangeOfAMappedVideoIsByteExactAndGoesThroughSendfileOnlyWhenLongerThanOnePiece(long offset, int length, bool throughSendfile)
    {
        Assert.True(OperatingSystem.IsLinux(), "the media server maps videos on Linux, where these tests run");
        using RawHttpConnection connection = await RawHttpConnection.ConnectAsync(server.HttpEndPoint);
        long before = SendfilePieces();

        await connection.SendAsync(RawHttpConnection.Request("GET", $"/videos/{LargeVideoServer.Name}", $"Range: bytes={offset}-{offset + length - 1}"));
        RawResponse response = await connection.ReadResponseAsync();

        Assert.Equal(206, response.Status);
        Assert.Equal(SHA256.HashData(server.Content.AsSpan((int)offset, length)), SHA256.HashData(response.Body));
        long pieces = SendfilePieces() - before;
        if (throughSendfile)
        {
            Assert.True(pieces >= 4, $"{pieces} sendfile pieces for a 5 MiB range: its first 4 MiB go in two 2 MiB calls of 1 MiB pieces");
        }
        else
        {
            Assert.Equal(0, pieces);
        }
    }

    /// <summary>
    /// The library's count of pieces sent with <c>sendfile(2)</c>: internal (its own tests use it directly), read here by
    /// reflection because nothing a client sees tells the two paths apart.
    /// </summary>
    private static long SendfilePieces()
    {
        PropertyInfo property = typeof(ZeroCopy.VideoCache).Assembly.GetType("ZeroCopy.FileRangeSender", throwOnError: true)!
            .GetProperty("PiecesSent", BindingFlags.Static | BindingFlags.NonPublic)!;
        return (long)property.GetValue(null)!;
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

        public override async Task DisposeAsync()
        {
            await base.DisposeAsync();
            Directory.Delete(_media, recursive: true);
        }
    }
}

/// <summary>Runs the tests that read the library's process-wide sendfile count alone.</summary>
[CollectionDefinition(nameof(SendfileCounterTestGroup), DisableParallelization = true)]
public sealed class SendfileCounterTestGroup;
