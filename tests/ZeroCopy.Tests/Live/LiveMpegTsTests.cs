using System.Buffers;
using ZeroCopy.Tests.Infrastructure;

namespace ZeroCopy.Tests.Live;

public class LiveMpegTsTests
{
    private const int PacketSize = TransportStreamBuilder.PacketSize;

    private static LiveCache NewCache(long capacity = 256 * 1024, LaggingReaderPolicy policy = LaggingReaderPolicy.SkipToSyncPoint) =>
        new(new LiveCacheOptions { Capacity = capacity, Memory = TestCaches.LiveMemory(capacity), SegmentSize = 4096, SyncPointDetector = new MpegTsSyncPointDetector(), LaggingReaderPolicy = policy, Name = "ts" });

    [Fact]
    public async Task LateJoinerStartsAtTheNewestKeyframesPatAndGetsThePatAndPmtFirst()
    {
        using var cache = NewCache();
        var ts = new TransportStreamBuilder().Gop().Gop().Gop(frames: 6);
        byte[] data = ts.ToArray();
        cache.Write(data);

        using LiveReader reader = cache.CreateReader();
        LiveReadResult result = await reader.ReadAsync().Within();
        byte[] bytes = result.Buffer.ToArray();

        Assert.Equal(ts.Pats[2], reader.Position);
        Assert.Equal(0, TransportStreamBuilder.PidAt(bytes, 0));
        Assert.Equal(TransportStreamBuilder.PmtPid, TransportStreamBuilder.PidAt(bytes, PacketSize));
        Assert.Equal(TransportStreamBuilder.VideoPid, TransportStreamBuilder.PidAt(bytes, 2 * PacketSize));
        Assert.Equal(ts.Keyframes[2], result.Position + (2 * PacketSize));
        Assert.Equal(data[(int)ts.Pats[2]..], bytes);
    }

    [Fact]
    public async Task LateJoinerGetsTheTablesAsAPreambleWhenTheyAreNotRightBeforeTheKeyframe()
    {
        using var cache = NewCache();
        var ts = new TransportStreamBuilder().Pat().Pmt().Audio();
        ts.Gop(tablesBeforeKeyframe: false).Gop(tablesBeforeKeyframe: false);
        byte[] data = ts.ToArray();
        cache.Write(data);

        using LiveReader reader = cache.CreateReader();
        LiveReadResult preamble = await reader.ReadAsync().Within();
        reader.AdvanceTo(preamble.Position + preamble.Buffer.Length);
        LiveReadResult stream = await reader.ReadAsync().Within();

        Assert.Equal(2 * PacketSize, preamble.Buffer.Length);
        Assert.Equal(data.AsSpan(0, 2 * PacketSize).ToArray(), preamble.Buffer.ToArray());
        Assert.Equal(ts.Keyframes[1] - (2 * PacketSize), preamble.Position);
        Assert.Equal(ts.Keyframes[1], stream.Position);
        Assert.Equal(data[(int)ts.Keyframes[1]..], stream.Buffer.ToArray());
    }

    [Fact]
    public async Task SendToDeliversThePreambleThenTheStreamInOneCall()
    {
        using var cache = NewCache();
        var ts = new TransportStreamBuilder().Pat().Pmt().Audio().Gop(tablesBeforeKeyframe: false);
        byte[] data = ts.ToArray();
        cache.Write(data);
        using LiveReader reader = cache.CreateReader();
        using LoopbackSocketPair viewer = await LoopbackSocketPair.ConnectAsync();

        long sent = await reader.SendToAsync(viewer.Server).Within();
        byte[] received = new byte[sent];
        await viewer.Client.ReceiveFullyAsync(received).Within();

        byte[] expected = [.. data.AsSpan(0, 2 * PacketSize), .. data.AsSpan((int)ts.Keyframes[0])];
        Assert.Equal(expected, received);
        Assert.Equal(data.Length, reader.Position);
    }

    [Fact]
    public async Task ReaderCreatedBeforeTheFirstKeyframeWaitsForIt()
    {
        using var cache = NewCache();
        var ts = new TransportStreamBuilder().Pat().Pmt().Video(keyframe: false, randomAccessIndicator: false);
        cache.Write(ts.ToArray());
        using LiveReader reader = cache.CreateReader();
        Task<LiveReadResult> waiting = reader.ReadAsync().AsTask();
        Assert.False(waiting.IsCompleted);

        long before = ts.Length;
        ts.Gop();
        cache.Write(ts.ToArray().AsSpan((int)before));
        LiveReadResult result = await waiting.Within();

        Assert.Equal(ts.Pats[1], result.Position);
        Assert.Equal(0, result.SkippedBytes);
    }

    [Fact]
    public async Task LaggingReaderWithoutAnIntactKeyframeWaitsForTheNextOneAndCountsWhatItSkipped()
    {
        using var cache = NewCache(capacity: 64 * 1024);
        var ts = new TransportStreamBuilder().Gop();
        cache.Write(ts.ToArray());
        using LiveReader reader = cache.CreateReader();
        long start = reader.Position;
        long written = ts.Length;
        while (ts.Length < 3 * 64 * 1024)
        {
            ts.Video(keyframe: false, randomAccessIndicator: false).Audio();
        }

        cache.Write(ts.ToArray().AsSpan((int)written));
        written = ts.Length;
        Task<LiveReadResult> waiting = reader.ReadAsync().AsTask();
        Assert.False(waiting.IsCompleted);
        ts.Gop();
        cache.Write(ts.ToArray().AsSpan((int)written));
        LiveReadResult result = await waiting.Within();

        Assert.Equal(ts.Pats[1], result.Position);
        Assert.Equal(ts.Pats[1] - start, result.SkippedBytes);
        Assert.Equal(1, reader.SkipCount);
    }

    [Fact]
    public async Task EveryReaderPositionIsPacketAlignedAtEveryMoment()
    {
        using var cache = NewCache(capacity: 128 * 1024);
        var ts = new TransportStreamBuilder();
        for (int i = 0; i < 400; i++)
        {
            ts.Gop(frames: 8, tablesBeforeKeyframe: i % 2 == 0);
        }

        byte[] data = ts.ToArray();
        var violations = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var done = new CancellationTokenSource();

        async Task ReadAsync(LiveReader reader, int delayEvery)
        {
            int reads = 0;
            try
            {
                while (true)
                {
                    LiveReadResult result = await reader.ReadAsync(done.Token);
                    if (result.Position % PacketSize != 0 || result.Buffer.Length % PacketSize != 0 || reader.Position % PacketSize != 0)
                    {
                        violations.Enqueue($"read at {result.Position}, length {result.Buffer.Length}, reader at {reader.Position}");
                    }

                    // Inspect, then advance (which confirms the bytes were intact), then act on what was inspected.
                    bool startsWithSyncByte = result.Buffer.IsEmpty || result.Buffer.FirstSpan[0] == MpegTsPacket.SyncByte;
                    long packets = result.Buffer.Length / PacketSize;
                    reader.AdvanceTo(result.Position + ((reads % 3 == 0 ? (packets + 1) / 2 : packets) * PacketSize));
                    if (!startsWithSyncByte)
                    {
                        violations.Enqueue($"buffer at {result.Position} does not start with a sync byte");
                    }

                    if (reader.Position % PacketSize != 0)
                    {
                        violations.Enqueue($"advanced to {reader.Position}");
                    }

                    if (result.IsCompleted && result.Buffer.IsEmpty)
                    {
                        return;
                    }

                    if (delayEvery > 0 && ++reads % delayEvery == 0)
                    {
                        await Task.Delay(1);
                    }
                }
            }
            catch (LiveReaderLappedException)
            {
                // Held a buffer the writer reused: cut off, allowed; its positions were checked up to here.
            }
            catch (OperationCanceledException)
            {
            }
            finally
            {
                reader.Dispose();
            }
        }

        var readers = new List<Task>();
        var random = new Random(11);
        int written = 0;
        for (int chunk = 0; written < data.Length; chunk++)
        {
            int length = Math.Min(random.Next(1, 5000), data.Length - written);
            cache.Write(data.AsSpan(written, length));
            written += length;
            if (chunk % 200 == 0)
            {
                LiveReader reader = cache.CreateReader();
                if (reader.Position % PacketSize != 0)
                {
                    violations.Enqueue($"joined at {reader.Position}");
                }

                readers.Add(Task.Run(() => ReadAsync(reader, delayEvery: readers.Count % 3)));
            }

            if (chunk % 50 == 0)
            {
                await Task.Yield();
            }
        }

        cache.Complete();
        await Task.WhenAll(readers).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(readers.Count >= 5, $"only {readers.Count} readers");
        Assert.Empty(violations);
    }
}
