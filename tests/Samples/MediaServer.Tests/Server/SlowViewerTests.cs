using System.Diagnostics;
using System.Net.Sockets;
using MediaServer.Live;
using MediaServer.Tests.Infrastructure;

namespace MediaServer.Tests.Server;

// Whether a fast viewer keeps up with a small ring is a question of real time: alone, after the suite (RealTimeGroup).
[Collection(nameof(Live.RealTimeGroup))]
public sealed class SlowViewerTests(SmallRingFixture server) : IClassFixture<SmallRingFixture>, IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    public void Dispose() => server.Logs.AssertNoFaults();

    [Fact]
    public async Task AStalledViewerNeverSlowsTheIngestOrTheOtherViewers()
    {
        // 12 copies of the sample stream (6.5 MB): 25 rings' worth.
        byte[] clip = MediaFiles.Bytes(MediaFiles.TransportStream);
        byte[] stream = [.. Enumerable.Repeat(clip, 12).SelectMany(copy => copy)];
        using var publisher = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await publisher.ConnectAsync(server.Server.IngestEndPoint);
        const int Head = 188 * 600;
        await publisher.SendAsync(stream.AsMemory(0, Head), SocketFlags.None);
        await LiveHelpers.WaitForChannelAsync(server, ChannelName.TcpIngest, minBytes: Head);

        // One viewer that never reads (its socket buffers fill, then its sends stall), and eight that keep up.
        using Socket stalled = await LiveHelpers.ConnectViewerAsync(server.HttpEndPoint, ChannelName.TcpIngest, receiveBufferSize: 4096);
        Socket[] viewers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => LiveHelpers.ConnectViewerAsync(server.HttpEndPoint, ChannelName.TcpIngest)));
        Task<(string Head, byte[] Body)>[] watching = [.. viewers.Select(viewer => LiveHelpers.ReadToEndAsync(viewer, s_timeout))];
        await Task.Delay(300);

        // The ingest goes at its own pace (about 1 MB/s, a quarter of a second of slack in the ring for a fast viewer): it
        // must never wait for a viewer.
        var clock = Stopwatch.StartNew();
        using (var timeout = new CancellationTokenSource(s_timeout))
        {
            for (int offset = Head; offset < stream.Length; offset += 16_000)
            {
                await publisher.SendAsync(stream.AsMemory(offset, Math.Min(16_000, stream.Length - offset)), SocketFlags.None, timeout.Token);
                await Task.Delay(15, timeout.Token);
            }
        }

        TimeSpan pushed = clock.Elapsed;
        publisher.Shutdown(SocketShutdown.Send);
        (string Head, byte[] Body)[] results = await Task.WhenAll(watching);
        await LiveHelpers.WaitForChannelGoneAsync(server, ChannelName.TcpIngest);

        Assert.True(pushed < TimeSpan.FromSeconds(20), $"the ingest took {pushed.TotalSeconds:0.0} s");
        foreach ((_, byte[] body) in results)
        {
            // Every fast viewer got the stream's whole tail from its start, after at most a few preamble packets.
            Assert.True(body.Length > stream.Length - Head, $"a viewer got {body.Length} bytes of the {stream.Length - Head} pushed after it joined");
            int preamble = Enumerable.Range(0, 5).FirstOrDefault(p => body.AsSpan(p * 188).SequenceEqual(stream.AsSpan(stream.Length - (body.Length - (p * 188)))), -1);
            Assert.True(preamble >= 0, "a fast viewer's bytes are not the tail of the ingested stream");
        }

        // The stalled viewer was cut off (or skipped ahead): it got far less, and the server says why.
        using var drain = new CancellationTokenSource(s_timeout);
        long stalledBytes = 0;
        byte[] buffer = new byte[64 * 1024];
        try
        {
            int received;
            while ((received = await stalled.ReceiveAsync(buffer, SocketFlags.None, drain.Token)) > 0)
            {
                stalledBytes += received;
            }
        }
        catch (SocketException)
        {
            // Reset by the cut-off: fine.
        }

        Assert.True(stalledBytes < stream.Length / 2, $"the stalled viewer still got {stalledBytes} bytes");
        await server.Logs.AssertLoggedAsync(entry => entry.EventId.Id == 304 && (entry.Message.Contains("cut off", StringComparison.Ordinal) || !entry.Message.Contains(" 0 skips", StringComparison.Ordinal)), "a viewer cut off or skipped ahead");
        foreach (Socket viewer in viewers)
        {
            viewer.Dispose();
        }
    }
}
