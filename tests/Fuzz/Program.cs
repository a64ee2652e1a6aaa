using System.Diagnostics;
using MediaServer.Fuzz;
using SharpFuzz;

// Fuzz targets for the media server (issue 11). Three ways to run one:
//   MediaServer.Fuzz TARGET                        under afl-fuzz, on assemblies instrumented by `sharpfuzz` (coverage-guided)
//   MediaServer.Fuzz TARGET --mutate N CORPUS      N in-process mutations of the corpus (deterministic; no afl++ needed)
//   MediaServer.Fuzz TARGET --replay FILE|DIR...   every file once, in-process (reproduces a finding)
// TARGET: http-head, range, chunked, mp4, mpegts. Exit 1 on any finding.
if (args.Length == 0 || !Targets.All.TryGetValue(args[0], out Action<ReadOnlyMemory<byte>>? target))
{
    Console.Error.WriteLine($"usage: MediaServer.Fuzz TARGET [--mutate N CORPUS | --replay PATH...]; targets: {string.Join(", ", Targets.All.Keys)}");
    return 2;
}

if (args.Length == 1)
{
    // afl++ forks nothing: SharpFuzz runs the target in this process once per input it reads from afl's shared memory.
    Fuzzer.OutOfProcess.Run(stream =>
    {
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        target(copy.GetBuffer().AsMemory(0, (int)copy.Length));
    });
    return 0;
}

if (args[1] == "--replay")
{
    int failures = 0, files = 0;
    foreach (string path in args.Skip(2).SelectMany(p => Directory.Exists(p) ? Directory.EnumerateFiles(p, "*", SearchOption.AllDirectories) : [p]))
    {
        files++;
        try
        {
            target(File.ReadAllBytes(path));
        }
        catch (Exception e)
        {
            failures++;
            Console.Error.WriteLine($"{path}: {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
        }
    }

    Console.WriteLine($"{args[0]}: replayed {files} file(s), {failures} failure(s)");
    return failures == 0 ? 0 : 1;
}

if (args[1] == "--mutate" && args.Length >= 4 && long.TryParse(args[2], out long executions))
{
    byte[][] corpus = [.. Directory.EnumerateFiles(args[3]).Order(StringComparer.Ordinal).Select(File.ReadAllBytes)];
    if (corpus.Length == 0)
    {
        Console.Error.WriteLine($"{args[3]}: an empty corpus");
        return 2;
    }

    var mutator = new Mutator(seed: 11);
    var clock = Stopwatch.StartNew();
    TimeSpan slowest = TimeSpan.Zero;
    for (long i = 0; i < executions; i++)
    {
        byte[] input = mutator.Mutate(corpus[i % corpus.Length], corpus[(i * 7 + 3) % corpus.Length]);
        long started = Stopwatch.GetTimestamp();
        try
        {
            target(input);
        }
        catch (Exception e)
        {
            string saved = Path.Combine(Path.GetTempPath(), $"fuzz-{args[0]}-crash-{i}.bin");
            File.WriteAllBytes(saved, input);
            Console.Error.WriteLine($"{args[0]}: execution {i} failed ({saved}): {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
            return 1;
        }

        TimeSpan took = Stopwatch.GetElapsedTime(started);
        slowest = took > slowest ? took : slowest;
    }

    Console.WriteLine($"{args[0]}: {executions} mutated inputs in {clock.Elapsed.TotalSeconds:0.0} s, 0 crashes, slowest {slowest.TotalMilliseconds:0.0} ms");
    return 0;
}

Console.Error.WriteLine("usage: MediaServer.Fuzz TARGET [--mutate N CORPUS | --replay PATH...]");
return 2;
