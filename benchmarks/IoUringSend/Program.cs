// io_uring against the library's socket loop, for bulk sends of a file's ranges from the page cache (issue 24; the
// result is docs/benchmarks.md, section 12, "io_uring, tried"). Linux only.
//
// One process sends random ranges of a 1 GiB file over loopback TCP to a receiver process that drains them, each way in
// turn, interleaved, several rounds, and reports per GB: this process's CPU seconds (user + system, every thread) and
// context switches (getrusage), its system calls (the loop's counters; io_uring_enter calls counted here), GB/s, and the
// receiver's CPU (to see when it, not the sender, is the limit). The ways:
//
//   loop     the library: VideoCache.OpenFile(file).SendToAsync(socket, offset, length) on its socket loop
//            (sendfile(2) in 1 MiB pieces, epoll waits on the loop thread)
//   loop-send  the library from memory: the file's bytes in a CacheMemory.PinnedArrays cache, sendmsg(2) in 1 MiB
//            pieces on the same loop (a copy into the socket, as SEND makes: the epoll analogue of io_uring's SEND)
//   send     IORING_OP_SEND of the whole range from a mapping of the file, MSG_WAITALL (the kernel copies into the socket)
//   send-zc  IORING_OP_SEND_ZC, the same (the kernel pins the pages; over loopback it copies them on delivery)
//   splice   IORING_OP_SPLICE file -> pipe -> socket, linked pairs of one pipe's size (sendfile's own mechanism)
//
//   dotnet build -c Release benchmarks/IoUringSend
//   dotnet benchmarks/IoUringSend/bin/Release/net10.0/IoUringSend.dll [--rounds 5] [--gib 2] [--sizes 1m,20m]
//       [--connections 1] [--variants loop,loop-send,send,send-zc,splice] [--pipe-size 1048576] [--file PATH]
//
// The file (default: zerocopy-uring-1g.bin in the temporary directory) is written once with 1 MiB writes of random
// bytes and fsync'd, then read through once per start so that every page is in the page cache; the mapping that SEND
// reads is touched page by page before the rounds (no page faults are measured). Each run sends --gib GiB per way and
// range size, over --connections connections, the same offsets for every way within a round; the order of the ways
// rotates from round to round. Before each round the load average is printed. A markdown table of medians and ranges
// closes the output. For system calls of the loop as the kernel sees them, run one round under `strace -f -c`.
using System.Diagnostics;
using System.Globalization;
using System.IO.MemoryMappedFiles;
using IoUringSend;
using Microsoft.Win32.SafeHandles;
using ZeroCopy;

if (args.Length > 0 && args[0] == "receive")
{
    return Receiver.Run();
}

var options = new Dictionary<string, string>(StringComparer.Ordinal);
for (int i = 0; i + 1 < args.Length; i += 2)
{
    options[args[i]] = args[i + 1];
}

string Option(string name, string fallback) => options.TryGetValue(name, out string? value) ? value : fallback;
int rounds = int.Parse(Option("--rounds", "5"), CultureInfo.InvariantCulture);
double gib = double.Parse(Option("--gib", "2"), CultureInfo.InvariantCulture);
int[] sizes = [.. Option("--sizes", "1m,20m").Split(',').Select(RunResult.ParseSize)];
int connectionCount = int.Parse(Option("--connections", "1"), CultureInfo.InvariantCulture);
Variant[] variants = [.. Option("--variants", "loop,loop-send,send,send-zc,splice").Split(',').Select(VariantNames.Parse)];
int pipeSize = int.Parse(Option("--pipe-size", "1048576"), CultureInfo.InvariantCulture);
string path = Option("--file", Path.Combine(Path.GetTempPath(), "zerocopy-uring-1g.bin"));
const long FileLength = 1L << 30;

if (!OperatingSystem.IsLinux() || !SocketLoop.IsEnabled)
{
    Console.Error.WriteLine("Linux with the library's socket loop on (ZEROCOPY_SOCKET_LOOP unset or 1) only.");
    return 2;
}

Bench.PrepareFile(path, FileLength);
using SafeFileHandle fileHandle = File.OpenHandle(path);
using var mapping = MemoryMappedFile.CreateFromFile(path, FileMode.Open, mapName: null, 0, MemoryMappedFileAccess.Read);
using MemoryMappedViewAccessor view = mapping.CreateViewAccessor(0, FileLength, MemoryMappedFileAccess.Read);
using VideoCache cache = VideoCache.OpenFile(path);
using Process receiver = Bench.StartReceiver(out int port);
using var bench = new Bench(cache, fileHandle, view, pipeSize, receiver, port);
try
{
    Console.WriteLine($"file {path}: {FileLength} bytes, page cache warm; kernel {Environment.OSVersion.Version}; {Environment.ProcessorCount} cores; {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
    Console.WriteLine($"rounds {rounds}, {gib} GiB per run, ranges {string.Join(" and ", sizes.Select(RunResult.SizeName))}, {connectionCount} connection(s), pipe {pipeSize} B");
    foreach (Variant variant in variants)
    {
        bench.Verify(variant);
    }

    Console.WriteLine("content check: every way sent the file's bytes");
    Console.WriteLine($"io_uring features 0x{bench.UringFeatures:x}");

    var results = new List<RunResult>();
    for (int round = 0; round < rounds; round++)
    {
        string load = File.ReadAllText("/proc/loadavg").Trim();
        Console.WriteLine($"round {round + 1}, {DateTime.UtcNow:HH:mm:ss} UTC, load {load}");
        foreach (int rangeSize in sizes)
        {
            long[][] offsets = Bench.Offsets(seed: (round * 1000) + (rangeSize >> 10), connectionCount, (long)(gib * (1L << 30)) / rangeSize / connectionCount, rangeSize, FileLength);
            for (int k = 0; k < variants.Length; k++)
            {
                Variant variant = variants[(k + round) % variants.Length];
                RunResult result = bench.Run(variant, offsets, rangeSize) with { Round = round + 1 };
                results.Add(result);
                Console.WriteLine(result.ToLine());
            }
        }
    }

    Console.WriteLine();
    Console.WriteLine(RunResult.Table(results, variants, sizes));
    return 0;
}
finally
{
    receiver.Kill();
}
