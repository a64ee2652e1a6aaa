using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using ChunkServer.Server;
using ZeroCopy;

namespace ChunkServer.Cli;

/// <summary><c>ChunkServer serve</c>: load the videos, listen, and stop in order on Ctrl+C or SIGTERM.</summary>
internal static class ServeCommand
{
    /// <summary>The size of the built-in demo video served without <c>--media</c>.</summary>
    public const long DemoSize = 100_000_000;

    public static Command Create()
    {
        Option<IPAddress> host = EndpointOptions.Host("Address to listen on. Default 127.0.0.1 (this machine only); 0.0.0.0 or :: exposes the server to the network.");
        Option<long> port = EndpointOptions.Port("TCP port to listen on; 0 picks a free port (the actual one is printed).", lowest: 0);
        var media = new Option<DirectoryInfo>("--media")
        {
            Description = "Folder whose files are served (a video's id is its file name). Default: a 100 MB seeded random video named 'demo'.",
        };
        media.AcceptExistingOnly();
        var memory = new Option<string>("--memory")
        {
            // Pinned by default: on loopback with 20 MB chunks it measured faster and cheaper than sendfile(2) from 4 KiB
            // shared-memory or page-cache pages (docs/benchmarks.md, "ChunkServer before and after sendfile").
            Description = "Where the videos live: 'pinned' (the default: loaded into pinned arrays; chunks are copied into the socket by send(2)) or 'mapped' (files mapped read-only, the demo in shared memory; chunks go out with sendfile(2)).",
            DefaultValueFactory = _ => "pinned",
        };
        memory.AcceptOnlyFromAmong("mapped", "pinned");

        var serve = new Command("serve", "Serve request_chunk over TCP from VideoCache, sending every chunk straight from the cache. Stop with Ctrl+C or SIGTERM.")
        {
            host, port, media, memory,
        };
        serve.SetAction((result, cancellationToken) =>
            RunAsync(new IPEndPoint(result.GetValue(host)!, (int)result.GetValue(port)), result.GetValue(media), result.GetValue(memory) == "mapped", cancellationToken));
        return serve;
    }

    private static async Task<int> RunAsync(IPEndPoint endpoint, DirectoryInfo? media, bool mapped, CancellationToken cancellationToken)
    {
        // Ctrl+C (SIGINT) and SIGTERM start an orderly stop: the listener closes its connections, then the caches go.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using PosixSignalRegistration sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using PosixSignalRegistration sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }

        VideoLibrary library;
        ChunkListener listener;
        try
        {
            library = media is null
                ? VideoLibrary.CreateDemo(DemoSize, VideoCache.DefaultSegmentSize, mapped ? CacheMemory.SharedMemory : CacheMemory.PinnedArrays)
                : await VideoLibrary.LoadDirectoryAsync(media.FullName, VideoCache.DefaultSegmentSize, mapped, stop.Token);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"ChunkServer: cannot load {media?.FullName}: {e.Message}");
            return 1;
        }
        catch (OperationCanceledException)
        {
            return 0; // Stopped while loading.
        }

        using (library)
        {
            try
            {
                listener = new ChunkListener(library, endpoint);
            }
            catch (SocketException e)
            {
                await Console.Error.WriteLineAsync($"ChunkServer: cannot listen on {endpoint}: {e.Message}");
                return 1;
            }

            await using (listener)
            {
                Console.WriteLine($"ChunkServer listening on tcp://{listener.LocalEndPoint}");
                foreach ((string id, VideoCache cache) in library.Videos)
                {
                    Console.WriteLine($"  video '{id}': {cache.Capacity:N0} bytes in {cache.SegmentCount} segment(s), {cache.Memory}");
                }

                Console.WriteLine("Press Ctrl+C to stop.");
                try
                {
                    await Task.Delay(Timeout.Infinite, stop.Token);
                }
                catch (OperationCanceledException)
                {
                    // Ctrl+C or SIGTERM: stop in order.
                }

                Console.WriteLine("Stopping…");
            }
        }

        Console.WriteLine("ChunkServer stopped.");
        return 0;
    }
}
