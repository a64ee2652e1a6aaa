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

    [Fact]
    public async Task ARefusalOverABudgetIsLoggedOncePerAddressAndCountedEveryTime()
    {
        using var logs = new CapturedLogs();
        using ILoggerFactory factory = LoggerFactory.Create(logging => logging.AddProvider(logs));
        string name = $"test-{Guid.NewGuid():N}"; // the listener tag, apart from every other test's acceptors
        long refused = 0;
        using var meter = new System.Diagnostics.Metrics.MeterListener();
        meter.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == MediaServer.Diagnostics.ServerMetrics.MeterName && instrument.Name == "mediaserver.rejected_connections")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        meter.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            bool ours = false, perAddress = false;
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                ours |= tag.Key == MediaServer.Diagnostics.ServerMetrics.ListenerTag && Equals(tag.Value, name);
                perAddress |= tag.Key == MediaServer.Diagnostics.ServerMetrics.BudgetTag && Equals(tag.Value, "max-connections-per-address");
            }

            if (ours && perAddress)
            {
                Interlocked.Add(ref refused, value);
            }
        });
        meter.Start();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var acceptor = new TcpAcceptor(new IPEndPoint(IPAddress.Loopback, 0), (_, _) => release.Task, maxConnections: 10, maxPerAddress: 1, factory.CreateLogger("test")) { Name = name };
        acceptor.Start();

        using var held = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await held.ConnectAsync(acceptor.LocalEndPoint);
        for (int i = 0; i < 3; i++)
        {
            using var over = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await over.ConnectAsync(acceptor.LocalEndPoint);
            int read = await over.ReceiveAsync(new byte[1]).WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(0, read); // closed at accept
        }

        release.SetResult();
        Assert.Equal(3, Interlocked.Read(ref refused));
        CapturedLogs.Entry logged = Assert.Single(logs.Entries, entry => entry.EventId.Id == 106);
        Assert.Equal(LogLevel.Warning, logged.Level);
        Assert.Contains($"{name}: refused 127.0.0.1: the max-connections-per-address budget of 1 is spent", logged.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheRefusalLogTakesEachAddressOncePerIntervalAndCountsTheRest()
    {
        var log = new RefusalLog(TimeSpan.FromHours(1));
        ClientAddress first = ClientAddress.Of(new IPEndPoint(IPAddress.Parse("10.0.0.1"), 1));
        ClientAddress second = ClientAddress.Of(new IPEndPoint(IPAddress.Parse("10.0.0.2"), 1));

        Assert.True(log.ShouldLog(first, out int unlogged));
        Assert.Equal(0, unlogged);
        Assert.False(log.ShouldLog(first, out _));
        Assert.False(log.ShouldLog(first, out _));
        Assert.True(log.ShouldLog(second, out unlogged));
        Assert.Equal(2, unlogged); // the two repeats of the first address

        for (int i = 3; log.ShouldLog(ClientAddress.Of(new IPEndPoint(IPAddress.Parse($"10.0.{i / 250}.{(i % 250) + 1}"), 1)), out _); i++)
        {
            Assert.True(i < 1000, "the log must stop taking new addresses within an interval");
        }

        var everyCall = new RefusalLog(TimeSpan.Zero); // each call starts a new interval
        Assert.True(everyCall.ShouldLog(first, out _));
        Assert.True(everyCall.ShouldLog(first, out _));
    }
}
