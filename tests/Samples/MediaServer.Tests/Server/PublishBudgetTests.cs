using System.Net;
using MediaServer.Cli;
using MediaServer.Hosting;
using MediaServer.Tests.Infrastructure;

namespace MediaServer.Tests.Server;

/// <summary>A server with 1 MiB rings, room in its memory budget for two of them, and two channels per address.</summary>
public sealed class PublishBudgetFixture : ServerFixture
{
    public const long Ring = 1L << 20;

    internal override MediaServerOptions Configure(MediaServerOptions options)
    {
        long videos = Directory.EnumerateFiles(MediaServerOptions.BundledMediaDirectory).Sum(path => new FileInfo(path).Length);
        return options with { LiveBufferSize = Ring, MemoryBudget = videos + (2 * Ring) + (Ring / 2), MaxChannelsPerAddress = 2 };
    }
}

/// <summary>Issue 11: publishers within budgets: channels per address, and live rings in one memory budget with the videos.</summary>
public sealed class PublishBudgetTests(PublishBudgetFixture server) : IClassFixture<PublishBudgetFixture>, IDisposable
{
    private static readonly IPAddress s_otherClient = IPAddress.Parse("127.0.0.2");

    public void Dispose() => server.Logs.AssertNoFaults();

    [Fact]
    public async Task PublishersOverABudgetGet503AndTheOthersKeepRunning()
    {
        Assert.Equal(server.Server.Library.TotalSize, server.Server.Memory.Used); // the videos count in the same budget
        RawHttpConnection first = await LiveHelpers.HoldChannelAsync(server, "one");
        RawHttpConnection second = await LiveHelpers.HoldChannelAsync(server, "two");
        try
        {
            // A third channel from the same address: over the per-address budget.
            await LiveHelpers.AssertPutRefusedAsync(server, "three", 503, "this address already publishes 2 live channels");

            // From another address: within its own budget, but its ring does not fit in what is left of the memory.
            await LiveHelpers.AssertPutRefusedAsync(server, "three", 503, "does not fit in what is left of the memory budget", local: s_otherClient);

            // The channels already running are untouched: they take their bytes and end normally.
            Assert.True(server.Server.Channels.TryGet("one", out _));
            await LiveHelpers.EndHeldChannelAsync(server, first, "one");
        }
        finally
        {
            first.Dispose();
        }

        // The ring freed, the other address publishes.
        using (RawHttpConnection third = await LiveHelpers.HoldChannelAsync(server, "three", local: s_otherClient))
        {
            await LiveHelpers.EndHeldChannelAsync(server, third, "three");
        }

        await LiveHelpers.EndHeldChannelAsync(server, second, "two");
        second.Dispose();
        Assert.Equal(server.Server.Library.TotalSize, server.Server.Memory.Used);
    }
}
