using System.CommandLine;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using ChunkServer.Client;
using ChunkServer.Protocol;
using ChunkServer.Server;

using ZeroCopy.Samples;

namespace ChunkServer.Cli;

/// <summary><c>ChunkServer get</c>: request one chunk and print its status, length, SHA-256 and transfer rate.</summary>
internal static class GetCommand
{
    public static Command Create()
    {
        Option<IPAddress> host = EndpointOptions.Host("Address of the server. Default 127.0.0.1.");
        Option<long> port = EndpointOptions.Port("TCP port of the server.", lowest: 1);
        var video = new Option<string>("--video")
        {
            Description = "Id of the video: its file name, or 'demo' for the built-in video.",
            DefaultValueFactory = _ => VideoLibrary.DemoVideoId,
        };
        video.Validators.Add(result =>
        {
            int bytes = Encoding.UTF8.GetByteCount(result.GetValueOrDefault<string>() ?? string.Empty);
            if (bytes is 0 or > ChunkRequest.MaxVideoIdBytes)
            {
                result.AddError($"--video must be 1 to {ChunkRequest.MaxVideoIdBytes} UTF-8 bytes (got {bytes})");
            }
        });
        var offset = new Option<long>("--offset")
        {
            Description = "Byte offset of the chunk in the video.",
            DefaultValueFactory = _ => 1234,
            CustomParser = RangeParser.Between<long>(0, long.MaxValue),
        };
        var size = new Option<long>("--size")
        {
            Description = "Size of the chunk in bytes.",
            DefaultValueFactory = _ => 20 * 1024 * 1024,
            CustomParser = RangeParser.Between<long>(0, int.MaxValue),
        };

        var get = new Command("get", "Request one chunk, receive it straight into memory, and print its status, length, SHA-256 and transfer rate.")
        {
            host, port, video, offset, size,
        };
        get.SetAction((result, cancellationToken) => RunAsync(
            new IPEndPoint(result.GetValue(host)!, (int)result.GetValue(port)), result.GetValue(video)!, result.GetValue(offset), (int)result.GetValue(size), cancellationToken));
        return get;
    }

    private static async Task<int> RunAsync(IPEndPoint server, string video, long offset, int size, CancellationToken cancellationToken)
    {
        byte[] destination = GC.AllocateUninitializedArray<byte>(size);
        try
        {
            using ChunkClient client = await ChunkClient.ConnectAsync(server, cancellationToken);
            long started = Stopwatch.GetTimestamp();
            ChunkResponseHeader header = await client.RequestChunkAsync(video, offset, destination, cancellationToken);
            TimeSpan elapsed = Stopwatch.GetElapsedTime(started);
            if (header.Status != ChunkStatus.Ok)
            {
                await Console.Error.WriteLineAsync(header.Status == ChunkStatus.OutOfRange
                    ? $"ChunkServer: OutOfRange: {size:N0} bytes at offset {offset:N0} do not fit in '{video}' ({header.Length:N0} bytes)"
                    : $"ChunkServer: {header.Status} for '{video}'");
                return 1;
            }

            string sha = Convert.ToHexStringLower(SHA256.HashData(destination.AsSpan(0, (int)header.Length)));
            Console.WriteLine($"Ok: {header.Length:N0} bytes of '{video}' at offset {offset:N0} in {elapsed.TotalMilliseconds:F1} ms ({header.Length / elapsed.TotalSeconds / 1e9:F2} GB/s), sha256 {sha}");
            return 0;
        }
        catch (SocketException e)
        {
            await Console.Error.WriteLineAsync($"ChunkServer: cannot get a chunk from {server}: {e.Message} (is `ChunkServer serve --port {server.Port}` running?)");
            return 1;
        }
        catch (EndOfStreamException e)
        {
            await Console.Error.WriteLineAsync($"ChunkServer: {server}: {e.Message}");
            return 1;
        }
    }
}
