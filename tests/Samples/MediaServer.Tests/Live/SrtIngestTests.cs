using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using MediaServer.Live;
using MediaServer.Tests.Infrastructure;
using ZeroCopy;
using ZeroCopy.Tests.Infrastructure;

namespace MediaServer.Tests.Live;

/// <summary>Publishing over SRT: the stream id, the key, refusals as reject reasons, bytes in the ring, viewers, the link's end.</summary>
public sealed class SrtIngestTests(SrtServerFixture server) : IClassFixture<SrtServerFixture>, IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(45);

    public void Dispose() => server.Logs.AssertNoFaults();

    private Uri Channel(string name) => new(server.BaseUri, "live/" + name);

    /// <summary>Waits until the SRT ingest holds no publisher (a closed caller's channel ends once the server hears of it).</summary>
    private async Task WaitForNoSrtPublishersAsync()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (server.Server.SrtPublisherCount > 0)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"{server.Server.SrtPublisherCount} SRT publishers still held after 15 s");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task AFileSentOverSrtLandsInTheRingByteForByte()
    {
        byte[] file = MediaFiles.Bytes("clip.ts");
        using SrtCaller caller = await SrtCaller.ConnectAsync(server.SrtEndPoint, $"#!::r=cam,k={SrtServerFixture.Key}");
        Assert.True(caller.Connected, caller.Failure?.Message);

        await caller.SendAsync(file);
        LiveChannel channel = await LiveHelpers.WaitForChannelAsync(server, "cam", minBytes: file.Length);

        // Read the ring back from its first byte while the publisher still holds the channel.
        LiveReader reader = channel.TryAddViewer(new SyncPoint(0)) ?? throw new InvalidOperationException("the channel is gone");
        try
        {
            var ring = new ArrayBufferWriter<byte>();
            while (ring.WrittenCount < file.Length)
            {
                LiveReadResult read = await reader.ReadAsync().AsTask().WaitAsync(s_timeout);
                foreach (ReadOnlyMemory<byte> piece in read.Buffer)
                {
                    ring.Write(piece.Span);
                }

                reader.AdvanceTo(read.Position + read.Buffer.Length);
            }

            Assert.Equal(file.Length, channel.BytesReceived);
            Assert.True(file.AsSpan().SequenceEqual(ring.WrittenSpan), "the ring's bytes differ from the file's");
        }
        finally
        {
            channel.RemoveViewer(reader);
        }

        Assert.Equal("srt", channel.Transport);
    }

    [Fact]
    public async Task FfmpegPublishesOverSrtAndViewersDecodeTheStreamAndItsLowLatencyHls()
    {
        using RunningTool publisher = ExternalTool.Start("ffmpeg", LiveHelpers.FfmpegPush(server.SrtUrl($"ffmpeg1?key={SrtServerFixture.AnyChannelKey}"), seconds: 14, withAudio: true));
        await LiveHelpers.WaitForChannelAsync(server, "ffmpeg1", minBytes: 20_000, publisher: publisher);

        Task<ToolResult> continuous = ExternalTool.RunAsync("ffmpeg", LiveHelpers.FfmpegView(Channel("ffmpeg1"), seconds: 3), s_timeout);
        await Task.Delay(TimeSpan.FromSeconds(4)); // a segment and its parts exist
        ToolResult hls = await ExternalTool.RunAsync("ffmpeg", LiveHelpers.FfmpegView(new Uri(server.BaseUri, "live/ffmpeg1/index.m3u8"), seconds: 2), s_timeout);

        foreach (ToolResult viewer in new[] { await continuous, hls })
        {
            viewer.AssertClean();
            Assert.True(LiveHelpers.FramesDecoded(viewer) >= 40, $"decoded {LiveHelpers.FramesDecoded(viewer)} frames:\n{viewer.StandardError}");
        }

        await publisher.WaitAsync(s_timeout);
        await LiveHelpers.WaitForChannelGoneAsync(server, "ffmpeg1");
        await server.Logs.AssertLoggedAsync(entry => entry.Message.StartsWith("live 'ffmpeg1': publisher ended after ", StringComparison.Ordinal), "the publisher's end");
    }

    [Fact]
    public async Task GetLiveReportsTheSrtTransportAndTheLinksStatistics()
    {
        using SrtCaller caller = await SrtCaller.ConnectAsync(server.SrtEndPoint, $"stats?key={SrtServerFixture.AnyChannelKey}");
        Assert.True(caller.Connected, caller.Failure?.Message);
        await caller.SendAsync(MediaFiles.Bytes("clip.ts").AsMemory(0, 100 * 1316));
        await LiveHelpers.WaitForChannelAsync(server, "stats", minBytes: 100 * 1316);

        using var client = new HttpClient();
        using JsonDocument list = JsonDocument.Parse(await client.GetStringAsync(new Uri(server.BaseUri, "live")));

        JsonElement channel = list.RootElement.EnumerateArray().Single(c => c.GetProperty("name").GetString() == "stats");
        Assert.Equal("srt", channel.GetProperty("transport").GetString());
        JsonElement link = channel.GetProperty("link");
        Assert.True(link.GetProperty("packets_received").GetInt64() >= 100, link.ToString());
        Assert.True(link.GetProperty("bytes_received").GetInt64() >= 100 * 1316, link.ToString());
        Assert.True(link.GetProperty("rtt_ms").GetDouble() >= 0, link.ToString());
        Assert.Equal(0, link.GetProperty("packets_dropped").GetInt32());
        Assert.True(link.TryGetProperty("packets_lost", out _) && link.TryGetProperty("packets_retransmitted", out _), link.ToString());
    }

    [Theory]
    [InlineData("cam?key=wrong-key-0123456789", 1401, "the stream key or token is not valid for this channel")]
    [InlineData("#!::r=cam,k=wrong-key-0123456789", 1401, "the stream key or token is not valid for this channel")]
    [InlineData("cam", 1401, "publishing needs a stream key")]
    [InlineData("other?key=" + SrtServerFixture.Key, 1401, "the stream key or token is not valid for this channel")] // cam's key, for a channel it does not name
    [InlineData("#!::r=cam,m=request", 1400, "mode m=request")]
    [InlineData("not a channel", 1400, "is not a channel name")]
    public async Task ARefusedPublisherIsRejectedInTheHandshakeWithAReasonAndNothingEntersARing(string streamId, int reason, string logged)
    {
        using SrtCaller caller = await SrtCaller.ConnectAsync(server.SrtEndPoint, streamId);

        Assert.False(caller.Connected);
        Assert.Equal(reason, caller.RejectReason);
        Assert.DoesNotContain(server.Server.Channels.Snapshot(), c => c.Name is "cam" or "other" or "not a channel");
        await server.Logs.AssertLoggedAsync(entry => entry.EventId.Id == 302 && entry.Message.Contains(logged, StringComparison.Ordinal), "the refusal");
    }

    [Fact]
    public async Task ASecondPublisherOfALiveChannelIsRejectedAsAConflictAndTheFirstCarriesOn()
    {
        using SrtCaller first = await SrtCaller.ConnectAsync(server.SrtEndPoint, $"busy?key={SrtServerFixture.AnyChannelKey}");
        Assert.True(first.Connected, first.Failure?.Message);
        await first.SendAsync(new byte[10 * 1316]);
        LiveChannel channel = await LiveHelpers.WaitForChannelAsync(server, "busy", minBytes: 10 * 1316);

        using SrtCaller second = await SrtCaller.ConnectAsync(server.SrtEndPoint, $"busy?key={SrtServerFixture.AnyChannelKey}");

        Assert.False(second.Connected);
        Assert.Equal(1409, second.RejectReason);
        await first.SendAsync(new byte[10 * 1316]);
        await LiveHelpers.WaitForChannelAsync(server, "busy", minBytes: 20 * 1316);
        Assert.True(server.Server.Channels.TryGet("busy", out LiveChannel? still) && still == channel);
    }

    [Fact]
    public async Task AStormOfGarbageDatagramsLeavesTheIngestServingAndLeaksNothing()
    {
        await WaitForNoSrtPublishersAsync(); // the class's earlier publishers are gone, their rings freed
        long memoryBefore = server.Server.Memory.Used;
        using (var storm = new UdpClient(AddressFamily.InterNetwork))
        {
            var random = new Random(3);
            byte[] datagram = new byte[1500];
            for (int i = 0; i < 5000; i++)
            {
                int length = random.Next(1, datagram.Length);
                random.NextBytes(datagram.AsSpan(0, length));
                if (i % 3 == 0)
                {
                    datagram[0] = 0x80; // a control packet's flag: reaches deeper into libsrt's parsing
                }

                await storm.SendAsync(datagram.AsMemory(0, length), server.SrtEndPoint);
            }
        }

        using SrtCaller caller = await SrtCaller.ConnectAsync(server.SrtEndPoint, $"afterstorm?key={SrtServerFixture.AnyChannelKey}");
        Assert.True(caller.Connected, caller.Failure?.Message);
        await caller.SendAsync(new byte[50 * 1316]);
        await LiveHelpers.WaitForChannelAsync(server, "afterstorm", minBytes: 50 * 1316);
        caller.Dispose();
        await LiveHelpers.WaitForChannelGoneAsync(server, "afterstorm");

        Assert.DoesNotContain(server.Server.Channels.Snapshot(), c => c.Name == "afterstorm");
        Assert.Equal(memoryBefore, server.Server.Memory.Used); // the ring's memory went back to the budget
        await WaitForNoSrtPublishersAsync();                   // and its libsrt socket was closed
    }

    [Fact]
    public async Task AnEncoderThatVanishesEndsItsChannelAfterTheIdleTimeoutAndItsViewerFinishes()
    {
        using RunningTool publisher = ExternalTool.Start("ffmpeg", LiveHelpers.FfmpegPush(server.SrtUrl($"vanish?key={SrtServerFixture.AnyChannelKey}"), seconds: 60));
        await LiveHelpers.WaitForChannelAsync(server, "vanish", minBytes: 20_000, publisher: publisher);
        using Socket viewer = await LiveHelpers.ConnectViewerAsync(server.HttpEndPoint, "vanish");
        Task<(string Head, byte[] Body)> watched = LiveHelpers.ReadToEndAsync(viewer, s_timeout);
        await Task.Delay(500);

        publisher.Process.Kill(); // SIGKILL: no SRT shutdown reaches the server

        (string head, byte[] body) = await watched; // the stream ends once the server notices
        Assert.StartsWith("HTTP/1.1 200", head, StringComparison.Ordinal);
        Assert.True(body.Length > 0);
        await LiveHelpers.WaitForChannelGoneAsync(server, "vanish");
        await WaitForNoSrtPublishersAsync();
        await server.Logs.AssertLoggedAsync(
            entry => entry.Message.StartsWith("live 'vanish': publisher ended after ", StringComparison.Ordinal),
            "the vanished publisher's end");
    }
}
