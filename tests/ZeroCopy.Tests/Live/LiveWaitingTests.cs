using ZeroCopy.Tests.Infrastructure;

namespace ZeroCopy.Tests.Live;

/// <summary>Waiting costs memory, not threads. Runs alone: the thread count it checks is the whole process's.</summary>
[Collection(LiveTimingGroup.Name)]
public class LiveWaitingTests
{
    [Fact]
    public async Task TenThousandWaitingReadersAllWakeOnOnePublish()
    {
        using var cache = new LiveCache(new LiveCacheOptions { Capacity = 64 * 1024, Memory = TestCaches.LiveMemory(64 * 1024), SegmentSize = 4096 });
        var readers = Enumerable.Range(0, 10_000).Select(_ => cache.CreateReader()).ToList();
        int threadsBefore = System.Diagnostics.Process.GetCurrentProcess().Threads.Count;
        var reads = readers.Select(r => r.ReadAsync().AsTask()).ToList();
        int threadsWaiting = System.Diagnostics.Process.GetCurrentProcess().Threads.Count;

        cache.Write([1, 2, 3, 4]);
        LiveReadResult[] results = await Task.WhenAll(reads).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.All(results, r => Assert.Equal(4, r.Buffer.Length));
        Assert.True(threadsWaiting - threadsBefore < 50, $"threads went from {threadsBefore} to {threadsWaiting} for 10,000 waiting readers");
        readers.ForEach(r => r.Dispose());
    }
}
