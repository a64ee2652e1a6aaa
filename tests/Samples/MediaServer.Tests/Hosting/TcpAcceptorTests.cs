using System.Net;
using System.Net.Sockets;
using MediaServer.Hosting;
using MediaServer.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace MediaServer.Tests.Hosting;

public sealed class TcpAcceptorTests
{
    [Fact]
    public async Task OutOfDescriptorsTheAcceptLoopBacksOffLogsOnceAndResumes()
    {
        using var logs = new CapturedLogs();
        using ILoggerFactory factory = LoggerFactory.Create(logging => logging.AddProvider(logs));
        var accept = new DescriptorExhaustedAccept(failures: 5);
        var served = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var acceptor = new TcpAcceptor(
            new IPEndPoint(IPAddress.Loopback, 0),
            async (client, _) =>
            {
                await client.SendAsync("ok"u8.ToArray());
                served.TrySetResult();
            },
            maxConnections: 10,
            maxPerAddress: 10,
            factory.CreateLogger("test"),
            accept.AcceptAsync);
        acceptor.Start();

        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(acceptor.LocalEndPoint); // Waits in the backlog while accept fails.
        await served.Task.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(accept.Calls >= 6, $"{accept.Calls} accepts: five failed, then the one that succeeded");
        Assert.Single(logs.Entries, entry => entry.EventId.Id == 109); // out of descriptors: once for the episode
        Assert.Single(logs.Entries, entry => entry.EventId.Id == 110); // accepting again
        Assert.Empty(logs.Faults);
    }

    [Theory]
    [InlineData(10_000, 1024, 0, 704, 64)] // the common default limit: the reserve held back, an eighth (at most 64) to the ingest
    [InlineData(10_000, 1024, 100, 604, 64)] // descriptors already open count too
    [InlineData(10_000, 160, 100, 27, 3)] // too few to keep the whole reserve: half of what is left, split
    [InlineData(500, 65536, 0, 500, 64)] // plenty: as asked
    [InlineData(10_000, null, null, 10_000, 64)] // unknown limit: as asked
    public void BothListenersTogetherStayBelowTheDescriptorLimit(int requested, int? limit, int? open, int http, int ingest)
    {
        Assert.Equal((http, ingest), DescriptorLimit.SplitConnections(requested, 64, limit, open));
        if (limit is not null)
        {
            Assert.True(http + ingest + (open ?? 0) < limit, "both listeners fit under the limit with room to spare");
        }
    }
}
