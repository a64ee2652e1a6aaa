using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using ChunkServer.Client;
using ChunkServer.Protocol;
using ChunkServer.Server;
using ZeroCopy;

// The book's chunk server: `request_chunk(video_id, byte_offset, size)` over TCP, served from VideoCache with zero copies.
//   ChunkServer serve [--host 127.0.0.1] [--port 9100] [--media DIR]
//   ChunkServer get   [--host 127.0.0.1] [--port 9100] [--video demo] [--offset 1234] [--size 20971520]
const string Usage = """
    usage:
      ChunkServer serve [--host 127.0.0.1] [--port 9100] [--media DIR]
          Serves every file in DIR (id = file name), or without --media a 100 MB seeded random video named 'demo'.
      ChunkServer get [--host 127.0.0.1] [--port 9100] [--video demo] [--offset 1234] [--size 20971520]
          Requests one chunk and prints its status, length, SHA-256 and transfer rate.
    """;

if (args.Length == 0 || args[0] is "-h" or "--help" || args.Length % 2 == 0)
{
    Console.WriteLine(Usage);
    return args.Length == 0 || args[0] is "-h" or "--help" ? 0 : 2;
}

var options = new Dictionary<string, string>(StringComparer.Ordinal);
for (int i = 1; i < args.Length; i += 2)
{
    options[args[i]] = args[i + 1];
}

string Option(string name, string fallback) => options.Remove(name, out string? value) ? value : fallback;

IPAddress host = IPAddress.Parse(Option("--host", "127.0.0.1"));
int port = int.Parse(Option("--port", "9100"), CultureInfo.InvariantCulture);

switch (args[0])
{
    case "serve":
    {
        string? media = options.Remove("--media", out string? dir) ? dir : null;
        if (options.Count > 0)
        {
            Console.Error.WriteLine($"unknown option {options.Keys.First()}\n{Usage}");
            return 2;
        }

        using VideoLibrary library = media is null
            ? VideoLibrary.CreateDemo(100_000_000, VideoCache.DefaultSegmentSize)
            : await VideoLibrary.LoadDirectoryAsync(media, VideoCache.DefaultSegmentSize, CancellationToken.None);

        var listener = new ChunkListener(library, new IPEndPoint(host, port));
        await using (listener)
        {
            Console.WriteLine($"ChunkServer listening on tcp://{listener.LocalEndPoint}");
            foreach ((string id, VideoCache cache) in library.Videos)
            {
                Console.WriteLine($"  video '{id}': {cache.Capacity:N0} bytes in {cache.SegmentCount} segment(s)");
            }

            Console.WriteLine("Press Ctrl+C to stop.");
            var stop = new TaskCompletionSource();
            Console.CancelKeyPress += (_, e) =>
            {
                e.Cancel = true;
                stop.TrySetResult();
            };
            await stop.Task;
        }

        Console.WriteLine("ChunkServer stopped.");
        return 0;
    }

    case "get":
    {
        string video = Option("--video", VideoLibrary.DemoVideoId);
        long offset = long.Parse(Option("--offset", "1234"), CultureInfo.InvariantCulture);
        int size = int.Parse(Option("--size", (20 * 1024 * 1024).ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
        if (options.Count > 0)
        {
            Console.Error.WriteLine($"unknown option {options.Keys.First()}\n{Usage}");
            return 2;
        }

        byte[] destination = GC.AllocateUninitializedArray<byte>(size);
        using ChunkClient client = await ChunkClient.ConnectAsync(new IPEndPoint(host, port));
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        ChunkResponseHeader header = await client.RequestChunkAsync(video, offset, destination);
        TimeSpan elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        if (header.Status != ChunkStatus.Ok)
        {
            Console.WriteLine($"{header.Status} (length field {header.Length})");
            return 1;
        }

        string sha = Convert.ToHexStringLower(SHA256.HashData(destination.AsSpan(0, (int)header.Length)));
        Console.WriteLine($"Ok: {header.Length:N0} bytes of '{video}' at offset {offset:N0} in {elapsed.TotalMilliseconds:F1} ms ({header.Length / elapsed.TotalSeconds / 1e9:F2} GB/s), sha256 {sha}");
        return 0;
    }

    default:
        Console.Error.WriteLine(Usage);
        return 2;
}
