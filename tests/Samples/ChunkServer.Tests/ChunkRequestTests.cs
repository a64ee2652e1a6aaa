using System.Net.Sockets;
using ChunkServer.Client;
using ChunkServer.Protocol;

namespace ChunkServer.Tests;

public class ChunkRequestTests(ChunkServerFixture server) : IClassFixture<ChunkServerFixture>
{
    private static CancellationToken Timeout => new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token;

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1234, 20_000)]
    [InlineData(ChunkServerFixture.SegmentSize - 10, 20)] // crosses a segment boundary
    [InlineData(ChunkServerFixture.SegmentSize, ChunkServerFixture.SegmentSize)] // exactly one segment
    [InlineData(5, ChunkServerFixture.VideoSize - 5)] // crosses every boundary, ends at the end
    [InlineData(ChunkServerFixture.VideoSize, 0)] // empty chunk at the very end
    public async Task ChunkArrivesByteForByteAsRequested(int offset, int size)
    {
        using ChunkClient client = await ChunkClient.ConnectAsync(server.EndPoint, Timeout);
        byte[] destination = new byte[size];

        ChunkResponseHeader header = await client.RequestChunkAsync("demo", offset, destination, Timeout);

        Assert.Equal(new ChunkResponseHeader(ChunkStatus.Ok, size), header);
        Assert.True(server.Expected.AsSpan(offset, size).SequenceEqual(destination), $"chunk at {offset}+{size} differs");
    }

    [Fact]
    public async Task ManyRequestsShareOneConnection()
    {
        using ChunkClient client = await ChunkClient.ConnectAsync(server.EndPoint, Timeout);
        var random = new Random(7);
        for (int i = 0; i < 50; i++)
        {
            int size = random.Next(1, 200_000);
            int offset = random.Next(0, ChunkServerFixture.VideoSize - size);
            byte[] destination = new byte[size];

            ChunkResponseHeader header = await client.RequestChunkAsync("demo", offset, destination, Timeout);

            Assert.Equal(ChunkStatus.Ok, header.Status);
            Assert.True(server.Expected.AsSpan(offset, size).SequenceEqual(destination), $"request {i} at {offset}+{size} differs");
        }
    }

    [Fact]
    public async Task UnknownVideoIsNotFoundAndTheConnectionStaysUsable()
    {
        using ChunkClient client = await ChunkClient.ConnectAsync(server.EndPoint, Timeout);

        ChunkResponseHeader missing = await client.RequestChunkAsync("../etc/passwd", 0, new byte[10], Timeout);
        ChunkResponseHeader found = await client.RequestChunkAsync("demo", 0, new byte[10], Timeout);

        Assert.Equal(ChunkStatus.NotFound, missing.Status);
        Assert.Equal(ChunkStatus.Ok, found.Status);
    }

    [Theory]
    [InlineData(-1L, 10)]
    [InlineData(ChunkServerFixture.VideoSize - 5L, 10)]
    [InlineData(ChunkServerFixture.VideoSize + 1L, 0)]
    [InlineData(long.MaxValue, 10)]
    public async Task RangeOutsideTheVideoIsOutOfRangeWithTheVideoSize(long offset, int size)
    {
        using ChunkClient client = await ChunkClient.ConnectAsync(server.EndPoint, Timeout);

        ChunkResponseHeader header = await client.RequestChunkAsync("demo", offset, new byte[size], Timeout);
        ChunkResponseHeader next = await client.RequestChunkAsync("demo", 0, new byte[1], Timeout);

        Assert.Equal(new ChunkResponseHeader(ChunkStatus.OutOfRange, ChunkServerFixture.VideoSize), header);
        Assert.Equal(ChunkStatus.Ok, next.Status);
    }

    [Fact]
    public async Task ChunkLargerThanTheLimitIsABadRequestAndClosesTheConnection()
    {
        using var socket = await ConnectRawAsync();
        byte[] request = new byte[ChunkRequest.MaxLength];
        int length = new ChunkRequest("demo", 0, ChunkServerFixture.VideoSize + 1).Encode(request);
        await socket.SendAsync(request.AsMemory(0, length), SocketFlags.None, Timeout);

        byte[] response = await ReceiveUntilClosedAsync(socket);

        Assert.Equal(ChunkResponseHeader.Size, response.Length);
        Assert.Equal(ChunkStatus.BadRequest, ChunkResponseHeader.Decode(response).Status);
    }

    [Fact]
    public async Task EmptyVideoIdIsABadRequestAndClosesTheConnection()
    {
        using var socket = await ConnectRawAsync();
        await socket.SendAsync(new byte[] { 0, 1, 2, 3 }, SocketFlags.None, Timeout);

        byte[] response = await ReceiveUntilClosedAsync(socket);

        Assert.Equal(ChunkResponseHeader.Size, response.Length);
        Assert.Equal(ChunkStatus.BadRequest, ChunkResponseHeader.Decode(response).Status);
    }

    [Fact]
    public async Task ClientThatVanishesMidResponseDoesNotHurtTheServer()
    {
        for (int i = 0; i < 5; i++)
        {
            using var socket = await ConnectRawAsync();
            byte[] request = new byte[ChunkRequest.MaxLength];
            int length = new ChunkRequest("demo", 0, ChunkServerFixture.VideoSize).Encode(request);
            await socket.SendAsync(request.AsMemory(0, length), SocketFlags.None, Timeout);
            await socket.ReceiveAsync(new byte[100], SocketFlags.None, Timeout);
            socket.LingerState = new LingerOption(true, 0); // reset, not a graceful close
        }

        using ChunkClient client = await ChunkClient.ConnectAsync(server.EndPoint, Timeout);
        byte[] destination = new byte[1000];
        Assert.Equal(ChunkStatus.Ok, (await client.RequestChunkAsync("demo", 77, destination, Timeout)).Status);
        Assert.True(server.Expected.AsSpan(77, 1000).SequenceEqual(destination));
    }

    [Fact]
    public async Task ClientThatSendsHalfARequestAndCloses_LeavesTheServerServing()
    {
        using (var socket = await ConnectRawAsync())
        {
            await socket.SendAsync(new byte[] { 4, (byte)'d', (byte)'e' }, SocketFlags.None, Timeout);
            socket.Shutdown(SocketShutdown.Send);
            Assert.Empty(await ReceiveUntilClosedAsync(socket));
        }

        using ChunkClient client = await ChunkClient.ConnectAsync(server.EndPoint, Timeout);
        Assert.Equal(ChunkStatus.Ok, (await client.RequestChunkAsync("demo", 0, new byte[10], Timeout)).Status);
    }

    [Fact]
    public async Task ConcurrentClientsEachGetTheirOwnBytes()
    {
        Task[] clients = Enumerable.Range(0, 16).Select(async i =>
        {
            using ChunkClient client = await ChunkClient.ConnectAsync(server.EndPoint, Timeout);
            int offset = i * 100_000;
            byte[] destination = new byte[ChunkServerFixture.SegmentSize];
            ChunkResponseHeader header = await client.RequestChunkAsync("demo", offset, destination, Timeout);
            Assert.Equal(ChunkStatus.Ok, header.Status);
            Assert.True(server.Expected.AsSpan(offset, destination.Length).SequenceEqual(destination), $"client {i} got wrong bytes");
        }).ToArray();

        await Task.WhenAll(clients).WaitAsync(TimeSpan.FromSeconds(30));
    }

    private async Task<Socket> ConnectRawAsync()
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(server.EndPoint, Timeout);
        return socket;
    }

    private static async Task<byte[]> ReceiveUntilClosedAsync(Socket socket)
    {
        var received = new MemoryStream();
        byte[] buffer = new byte[4096];
        CancellationToken timeout = Timeout;
        int count;
        while ((count = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout)) > 0)
        {
            received.Write(buffer, 0, count);
        }

        return received.ToArray();
    }
}
