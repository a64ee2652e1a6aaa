using System.Buffers;
using ZeroCopy.Tests.Infrastructure;

namespace ZeroCopy.Tests.Live;

/// <summary>A late joiner's bytes, fed to the real ffprobe and ffmpeg: they must decode from the first frame on.</summary>
public sealed class LiveMpegTsFfmpegTests : IDisposable
{
    private const int PacketSize = 188;
    private readonly string _directory = Directory.CreateTempSubdirectory("zerocopy-live-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task FfmpegDecodesALateJoinersStreamFromItsFirstFrame(bool tablesOnlyAtTheStart)
    {
        byte[] source = await LiveFfmpeg.EncodeTestStreamAsync(_directory, seconds: 4);
        if (tablesOnlyAtTheStart)
        {
            source = KeepOnlyTheFirstPatAndPmt(source);
        }

        using var cache = new LiveCache(new LiveCacheOptions { Capacity = 1024 * 1024, Memory = TestCaches.LiveMemory(1024 * 1024), SegmentSize = 64 * 1024, SyncPointDetector = new MpegTsSyncPointDetector() });
        var random = new Random(3);
        int written = 0;
        void WriteUpTo(int end)
        {
            while (written < end)
            {
                int length = Math.Min(random.Next(1, 4000), end - written);
                cache.Write(source.AsSpan(written, length));
                written += length;
            }
        }

        WriteUpTo(source.Length * 6 / 10);
        using LiveReader reader = cache.CreateReader();
        WriteUpTo(source.Length);
        cache.Complete();

        using var joined = new MemoryStream();
        while (true)
        {
            LiveReadResult result = await reader.ReadAsync().Within();
            foreach (ReadOnlyMemory<byte> segment in result.Buffer)
            {
                joined.Write(segment.Span);
            }

            reader.AdvanceTo(result.Position + result.Buffer.Length);
            if (result.IsCompleted)
            {
                break;
            }
        }

        byte[] bytes = joined.ToArray();
        string path = Path.Combine(_directory, "joined.ts");
        await File.WriteAllBytesAsync(path, bytes);

        Assert.True(bytes.Length > 0 && bytes.Length < source.Length, $"joined {bytes.Length} of {source.Length} bytes");
        Assert.Equal(0, TransportStreamBuilder.PidAt(bytes, 0)); // The PAT first...
        Assert.Equal(0x1000, TransportStreamBuilder.PidAt(bytes, PacketSize)); // ...then ffmpeg's PMT.
        var (probeExit, frames, probeErrors) = await LiveFfmpeg.RunAsync(
            "ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "frame=key_frame,pict_type", "-of", "csv=p=0", path);
        string[] frameLines = frames.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(probeExit == 0, probeErrors);
        Assert.True(frameLines.Length >= 25, $"only {frameLines.Length} frames decoded");
        Assert.Equal("1,I", frameLines[0]);
        var (decodeExit, _, decodeErrors) = await LiveFfmpeg.RunAsync("ffmpeg", "-v", "error", "-i", path, "-f", "null", "-");
        Assert.True(decodeExit == 0 && decodeErrors.Length == 0, $"ffmpeg reported: {decodeErrors}");
    }

    /// <summary>Removes every PAT and PMT but the first: a joiner then needs the detector's copies (the preamble).</summary>
    private static byte[] KeepOnlyTheFirstPatAndPmt(byte[] source)
    {
        var kept = new List<byte>(source.Length);
        bool patSeen = false, pmtSeen = false;
        for (int offset = 0; offset + PacketSize <= source.Length; offset += PacketSize)
        {
            int pid = TransportStreamBuilder.PidAt(source, offset);
            if ((pid == 0 && patSeen) || (pid == 0x1000 && pmtSeen))
            {
                continue;
            }

            patSeen |= pid == 0;
            pmtSeen |= pid == 0x1000;
            kept.AddRange(source.AsSpan(offset, PacketSize));
        }

        return [.. kept];
    }
}
