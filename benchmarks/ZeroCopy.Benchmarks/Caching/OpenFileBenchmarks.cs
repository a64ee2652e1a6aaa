using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;

namespace ZeroCopy.Benchmarks.Caching;

/// <summary>
/// Getting a 1 GiB video file ready to serve: loading it into a cache (the <b>baseline</b>: every byte read and copied
/// into pinned arrays) against mapping it (<see cref="VideoCache.OpenFile"/>: no byte touched until served). The file is
/// in the page cache (written in setup), as a server's hot videos are. Target: mapping in at most 10 ms.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, warmupCount: 1, iterationCount: 5)]
public class OpenFileBenchmarks
{
    private const long FileSize = 1L << 30;
    private string _path = string.Empty;

    /// <summary>Writes the 1 GiB file of random bytes.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _path = Path.Combine(Path.GetTempPath(), $"zerocopy-openfile-{Environment.ProcessId}.bin");
        byte[] chunk = new byte[16 << 20];
        new Random(5).NextBytes(chunk);
        using var file = new FileStream(_path, FileMode.Create, FileAccess.Write);
        for (long written = 0; written < FileSize; written += chunk.Length)
        {
            file.Write(chunk);
        }
    }

    /// <summary>Deletes the file.</summary>
    [GlobalCleanup]
    public void Cleanup() => File.Delete(_path);

    /// <summary>Loads the whole file into a pinned-array cache.</summary>
    /// <returns>The cache's capacity.</returns>
    [Benchmark(Baseline = true)]
    public async Task<long> LoadFile()
    {
        using VideoCache cache = await VideoCache.LoadFileAsync(_path);
        return cache.Capacity;
    }

    /// <summary>Maps the file read-only.</summary>
    /// <returns>The cache's capacity.</returns>
    [Benchmark]
    public long OpenFile()
    {
        using VideoCache cache = VideoCache.OpenFile(_path);
        return cache.Capacity;
    }
}
