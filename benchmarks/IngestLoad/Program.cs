using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using MediaServer.Srt;

// Ingest load: N publishers, each pushing a synthetic MPEG-TS at a fixed bit rate (no encoder's CPU in the way) to a
// media server, over SRT (caller mode, 1316-byte messages) or over HTTP PUT (chunked, on TCP). After a warm-up it
// measures, over the window, the server's CPU seconds and context switches (every thread, /proc/PID) per GB ingested,
// the bytes the server took in (from GET /live), publishers behind schedule, and this generator's own CPU. One JSON line.
// With --syscall-seconds S, after the window (so that counting touches none of the figures above), the kernel counts
// the server's system calls for S seconds while the publishers go on (`perf stat -e raw_syscalls:sys_enter -p PID`,
// every thread; needs perf and tracepoint access, e.g. root), and the line adds them per GB ingested meanwhile, with
// the most frequent of the ingest paths' calls by name.
//
//   IngestLoad --server-pid PID --http-port 8080 [--srt-port 9001] --transport srt|put [--publishers 64] [--mbps 8]
//              [--seconds 30] [--key KEY] [--syscall-seconds 0]
var options = new Dictionary<string, string>(StringComparer.Ordinal);
for (int i = 0; i + 1 < args.Length; i += 2)
{
    options[args[i]] = args[i + 1];
}

string Option(string name, string fallback) => options.TryGetValue(name, out string? value) ? value : fallback;
int serverPid = int.Parse(Option("--server-pid", "0"), CultureInfo.InvariantCulture);
int httpPort = int.Parse(Option("--http-port", "8080"), CultureInfo.InvariantCulture);
int srtPort = int.Parse(Option("--srt-port", "9001"), CultureInfo.InvariantCulture);
string transport = Option("--transport", "srt");
int publisherCount = int.Parse(Option("--publishers", "64"), CultureInfo.InvariantCulture);
double mbps = double.Parse(Option("--mbps", "8"), CultureInfo.InvariantCulture);
int seconds = int.Parse(Option("--seconds", "30"), CultureInfo.InvariantCulture);
string? key = options.GetValueOrDefault("--key");
int syscallSeconds = int.Parse(Option("--syscall-seconds", "0"), CultureInfo.InvariantCulture);
if (serverPid <= 0 || transport is not ("srt" or "put"))
{
    Console.Error.WriteLine("usage: IngestLoad --server-pid PID --http-port P [--srt-port P] --transport srt|put [--publishers N] [--mbps R] [--seconds S] [--key K]");
    return 2;
}

const int FramesPerSecond = 25;
var frameInterval = TimeSpan.FromSeconds(1.0 / FramesPerSecond);
int frameBytes = (int)(mbps * 1e6 / 8 / FramesPerSecond);
if (transport == "srt" && (!LibSrt.TryLoad(out string? missing) || LibSrt.srt_startup() < 0))
{
    Console.Error.WriteLine(missing ?? "srt_startup failed");
    return 1;
}

Publisher[] publishers = [.. Enumerable.Range(0, publisherCount).Select(i => new Publisher($"load{i}", new SyntheticStream(frameBytes, FramesPerSecond, frameInterval)))];
foreach (Publisher publisher in publishers)
{
    string credential = key is null ? "" : "?key=" + key;
    if (transport == "srt")
    {
        publisher.Srt = SrtSocket.Create();
        publisher.Srt.Set(LibSrt.OptionStreamId, publisher.Channel + credential, "SRTO_STREAMID");
        publisher.Srt.Connect(new IPEndPoint(IPAddress.Loopback, srtPort));
    }
    else
    {
        publisher.Tcp = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        publisher.Tcp.Connect(new IPEndPoint(IPAddress.Loopback, httpPort));
        publisher.Tcp.Send(Encoding.ASCII.GetBytes($"PUT /live/{publisher.Channel}{credential} HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"));
    }
}

// One thread paces every publisher: each frame interval, one frame each (SRT: in 1316-byte messages; PUT: one chunk).
using var stop = new CancellationTokenSource();
int stalls = 0;
var pacer = new Thread(() =>
{
    var clock = Stopwatch.StartNew();
    byte[] chunkHead = new byte[16];
    for (long frame = 1; !stop.IsCancellationRequested; frame++)
    {
        foreach (Publisher publisher in publishers)
        {
            ReadOnlySpan<byte> data = publisher.Stream.NextFrame().Span;
            if (publisher.Srt is { } srt)
            {
                for (int offset = 0; offset < data.Length; offset += 1316)
                {
                    srt.Send(data.Slice(offset, Math.Min(1316, data.Length - offset)));
                }
            }
            else
            {
                int head = Encoding.ASCII.GetBytes($"{data.Length:x}\r\n", chunkHead);
                publisher.Tcp!.Send(chunkHead.AsSpan(0, head));
                publisher.Tcp.Send(data);
                publisher.Tcp.Send("\r\n"u8);
            }
        }

        TimeSpan ahead = (frame * frameInterval) - clock.Elapsed;
        if (ahead > TimeSpan.Zero)
        {
            Thread.Sleep(ahead);
        }
        else if (ahead < -TimeSpan.FromSeconds(1))
        {
            stalls++;
            clock.Restart();
            frame = 0;
        }
    }
})
{ IsBackground = true, Name = "pacer" };
pacer.Start();

using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}/") };
await Task.Delay(TimeSpan.FromSeconds(3)); // warm-up: every channel exists, rings are being written
(long bytesBefore, int channelsBefore) = await IngestedAsync(http, publishers);
Sample serverBefore = Sample.Of(serverPid);
TimeSpan ownBefore = Process.GetCurrentProcess().TotalProcessorTime;
int stallsBefore = stalls;
await Task.Delay(TimeSpan.FromSeconds(seconds));
Sample serverAfter = Sample.Of(serverPid);
TimeSpan ownAfter = Process.GetCurrentProcess().TotalProcessorTime;
(long bytesAfter, int channelsAfter) = await IngestedAsync(http, publishers);
SystemCalls? systemCalls = syscallSeconds > 0 ? await SystemCalls.TraceAsync(serverPid, syscallSeconds, () => IngestedAsync(http, publishers)) : null;
stop.Cancel();
pacer.Join();
foreach (Publisher publisher in publishers)
{
    publisher.Srt?.Dispose();
    if (publisher.Tcp is { } tcp)
    {
        tcp.Send("0\r\n\r\n"u8);
        tcp.Dispose();
    }
}

double gb = (bytesAfter - bytesBefore) / 1e9;
double serverCpu = serverAfter.CpuSeconds - serverBefore.CpuSeconds;
Console.WriteLine(JsonSerializer.Serialize(new
{
    transport,
    publishers = publisherCount,
    channels = Math.Min(channelsBefore, channelsAfter),
    mbps_each = mbps,
    seconds,
    ingested_mbps_each = (bytesAfter - bytesBefore) * 8 / 1e6 / seconds / publisherCount,
    server_cpu_s = Math.Round(serverCpu, 2),
    server_cpu_s_per_gb = Math.Round(serverCpu / gb, 3),
    server_context_switches_per_gb = Math.Round(serverAfter.SwitchesSince(serverBefore) / gb),
    generator_cpu_s = Math.Round((ownAfter - ownBefore).TotalSeconds, 2),
    pacer_stalls = stalls - stallsBefore,
    syscall_seconds = systemCalls?.Seconds,
    syscall_window_ingested_mbps_each = systemCalls is null ? (double?)null : Math.Round(systemCalls.Bytes * 8 / 1e6 / systemCalls.Seconds / publisherCount, 2),
    server_syscalls_per_gb = systemCalls is null ? (double?)null : Math.Round(systemCalls.Total / (systemCalls.Bytes / 1e9)),
    server_syscalls_per_gb_by_name = systemCalls?.Calls.OrderByDescending(c => c.Value).Take(8)
        .ToDictionary(c => c.Key, c => Math.Round(c.Value / (systemCalls.Bytes / 1e9))),
}));
return 0;

static async Task<(long Bytes, int Channels)> IngestedAsync(HttpClient http, Publisher[] publishers)
{
    using JsonDocument list = JsonDocument.Parse(await http.GetStringAsync("live"));
    var names = publishers.Select(p => p.Channel).ToHashSet(StringComparer.Ordinal);
    long bytes = 0;
    int channels = 0;
    foreach (JsonElement channel in list.RootElement.EnumerateArray())
    {
        if (names.Contains(channel.GetProperty("name").GetString()!))
        {
            bytes += channel.GetProperty("bytes").GetInt64();
            channels++;
        }
    }

    return (bytes, channels);
}

/// <summary>
/// The server's system calls over a few seconds, counted by the kernel's tracepoints (<c>perf stat -e
/// raw_syscalls:sys_enter -p PID</c>, every thread of the server), and the bytes it ingested meanwhile. Counting at
/// tracepoints costs the server little, where <c>strace -f -c</c> (ptrace: two stops per call) slowed the SRT ingest
/// to a ninth of its rate and changed what it counted.
/// </summary>
internal sealed record SystemCalls(double Seconds, long Bytes, long Total, Dictionary<string, long> Calls)
{
    // The calls named in the result: what the ingest paths make (TCP: recvfrom/read, epoll; libsrt: recvmsg, sendmsg,
    // futex and sched_yield between its threads).
    private static readonly string[] s_named = ["recvmsg", "recvmmsg", "recvfrom", "read", "sendmsg", "sendto", "epoll_wait", "epoll_pwait", "epoll_ctl", "futex", "sched_yield", "nanosleep", "clock_nanosleep"];

    public static async Task<SystemCalls?> TraceAsync(int pid, int seconds, Func<Task<(long Bytes, int Channels)>> ingested)
    {
        var start = new ProcessStartInfo("perf") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string argument in (string[])["stat", "-x", ",", "-e", "raw_syscalls:sys_enter", .. s_named.SelectMany(n => (string[])["-e", "syscalls:sys_enter_" + n]),
            "-p", pid.ToString(CultureInfo.InvariantCulture), "--", "sleep", seconds.ToString(CultureInfo.InvariantCulture)])
        {
            start.ArgumentList.Add(argument);
        }

        (long before, _) = await ingested();
        var clock = Stopwatch.StartNew();
        Process? perf;
        try
        {
            perf = Process.Start(start);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Console.Error.WriteLine("IngestLoad: no perf (apt-get install -y linux-perf): " + e.Message);
            return null;
        }

        if (perf is null)
        {
            return null;
        }

        using (perf)
        {
            string report = await perf.StandardError.ReadToEndAsync();
            await perf.WaitForExitAsync();
            double elapsed = clock.Elapsed.TotalSeconds;
            (long after, _) = await ingested();
            var calls = new Dictionary<string, long>(StringComparer.Ordinal);
            long total = 0;
            foreach (string line in report.Split('\n'))
            {
                // CSV: count,unit,event,...; "<not counted>" or "<not supported>" where the count is missing.
                string[] fields = line.Split(',');
                if (fields.Length < 3 || !long.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out long count))
                {
                    continue;
                }

                if (fields[2] == "raw_syscalls:sys_enter")
                {
                    total = count;
                }
                else if (fields[2].StartsWith("syscalls:sys_enter_", StringComparison.Ordinal))
                {
                    calls[fields[2]["syscalls:sys_enter_".Length..]] = count;
                }
            }

            if (total == 0)
            {
                Console.Error.WriteLine("IngestLoad: perf stat counted no system calls: " + report);
                return null;
            }

            return new SystemCalls(Math.Round(elapsed, 1), after - before, total, calls);
        }
    }
}

internal sealed class Publisher(string channel, SyntheticStream stream)
{
    public string Channel { get; } = channel;

    public SyntheticStream Stream { get; } = stream;

    public SrtSocket? Srt { get; set; }

    public Socket? Tcp { get; set; }
}

/// <summary>A process's CPU time (user + system) and context switches of each of its threads (by id), from /proc.</summary>
internal readonly record struct Sample(double CpuSeconds, Dictionary<int, long> ContextSwitches)
{
    /// <summary>
    /// Switches made since <paramref name="before"/>, thread by thread: a thread started meanwhile counts from zero, one
    /// that ended meanwhile is left out (nothing in /proc keeps its count). A plain difference of the sums went negative
    /// when libsrt's per-connection threads of an earlier run ended during the window.
    /// </summary>
    public long SwitchesSince(Sample before) => ContextSwitches.Sum(thread => thread.Value - before.ContextSwitches.GetValueOrDefault(thread.Key));

    public static Sample Of(int pid)
    {
        string[] stat = File.ReadAllText($"/proc/{pid}/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        double cpu = (long.Parse(stat[11], CultureInfo.InvariantCulture) + long.Parse(stat[12], CultureInfo.InvariantCulture)) / 100.0; // utime, stime in USER_HZ
        var switches = new Dictionary<int, long>();
        foreach (string task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
        {
            try
            {
                int id = int.Parse(Path.GetFileName(task), CultureInfo.InvariantCulture);
                foreach (string line in File.ReadLines(Path.Combine(task, "status")))
                {
                    if (line.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal) || line.StartsWith("nonvoluntary_ctxt_switches:", StringComparison.Ordinal))
                    {
                        switches[id] = switches.GetValueOrDefault(id) + long.Parse(line.AsSpan(line.IndexOf(':') + 1).Trim(), CultureInfo.InvariantCulture);
                    }
                }
            }
            catch (IOException)
            {
                // The thread ended between listing and reading.
            }
        }

        return new Sample(cpu, switches);
    }
}
