using System.CommandLine;
using ChunkServer.Cli;
using ZeroCopy.Samples;

// The book's chunk server: `request_chunk(video_id, byte_offset, size)` over TCP, served from VideoCache with zero copies.
//   ChunkServer serve [--host 127.0.0.1] [--port 9100] [--media DIR]
//   ChunkServer get   [--host 127.0.0.1] [--port 9100] [--video demo] [--offset 1234] [--size 20971520]
// Exit codes: 0 done, 1 failed (cannot load, listen or connect; a chunk not served), 2 invalid command line.
var root = new RootCommand("ZeroCopy chunk server: request_chunk(video_id, byte_offset, size) over TCP, answered from VideoCache with no copy.")
{
    ServeCommand.Create(),
    GetCommand.Create(),
};
root.Options.OfType<VersionOption>().Single().Action = new LibraryVersionAction();

return await CommandLineRunner.RunAsync(root, "ChunkServer", args);
