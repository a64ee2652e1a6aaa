using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

// The soak (issue 11): the media server as a child process under everything at once for a bounded time:
// VOD random ranges checked by SHA-256, a live push with viewers joining and leaving, publisher churn (PUT and raw TCP),
// and malformed traffic; RSS and open descriptors sampled every 10 s. Exit 1 on a corrupt byte, a dead server, or
// growth of memory or descriptors between the first and the last third of the run.
//   dotnet Soak.dll DURATION PATH/TO/MediaServer.dll OUTPUT_DIR      (DURATION: 90s, 30m, 2h)
if (args.Length < 3 || !TryParseDuration(args[0], out TimeSpan duration))
{
    Console.Error.WriteLine("usage: Soak DURATION(90s|30m|2h) MediaServer.dll OUTPUT_DIR");
    return 2;
}

string program = args[1];
string output = args[2];
Directory.CreateDirectory(output);
string mediaDirectory = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(program))!, "media");
var videos = new Dictionary<string, byte[]>
{
    ["clip.mp4"] = File.ReadAllBytes(Path.Combine(mediaDirectory, "clip.mp4")),
    ["clip.ts"] = File.ReadAllBytes(Path.Combine(mediaDirectory, "clip.ts")),
};
byte[] stream = videos["clip.ts"];

var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
foreach (string argument in new[] { program, "--port", "0", "--ingest-port", "0", "--log-level", "Warning", "--max-connections-per-address", "1000" })
{
    info.ArgumentList.Add(argument);
}

using Process server = Process.Start(info)!;
var serverOutput = new StringBuilder();
server.OutputDataReceived += (_, e) => { lock (serverOutput) { serverOutput.AppendLine(e.Data); } };
server.ErrorDataReceived += (_, e) => { lock (serverOutput) { serverOutput.AppendLine(e.Data); } };
server.BeginOutputReadLine();
server.BeginErrorReadLine();
IPEndPoint http = null!, ingest = null!;
for (var wait = Stopwatch.StartNew(); wait.Elapsed < TimeSpan.FromSeconds(60); await Task.Delay(100))
{
    string text;
    lock (serverOutput)
    {
        text = serverOutput.ToString();
    }

    Match page = Regex.Match(text, @"Page:\s+http://127\.0\.0\.1:(\d+)/");
    Match push = Regex.Match(text, @"push MPEG-TS to tcp://127\.0\.0\.1:(\d+)");
    if (page.Success && push.Success)
    {
        http = new IPEndPoint(IPAddress.Loopback, int.Parse(page.Groups[1].Value, CultureInfo.InvariantCulture));
        ingest = new IPEndPoint(IPAddress.Loopback, int.Parse(push.Groups[1].Value, CultureInfo.InvariantCulture));
        break;
    }
}

if (http is null)
{
    Console.Error.WriteLine("soak: the server did not start:\n" + serverOutput);
    server.Kill(entireProcessTree: true);
    return 1;
}

Console.WriteLine($"soak: {duration} against http://{http} (ingest {ingest}), server pid {server.Id}");
using var stop = new CancellationTokenSource(duration);
var counters = new Counters();
var samples = new List<(TimeSpan At, long RssKiB, int Descriptors)>();
var clock = Stopwatch.StartNew();
using var metrics = new StreamWriter(Path.Combine(output, "metrics.csv")) { AutoFlush = true };
await metrics.WriteLineAsync("seconds,rss_kib,descriptors,vod_requests,vod_bytes,corrupt_bytes,viewers,viewer_bytes,publishers,malformed,errors");

Task[] workers =
[
    .. Enumerable.Range(0, 3).Select(i => Loop(() => VodRangeAsync(new Random(i))) ),
    Loop(() => LivePushAsync("soak", TimeSpan.FromSeconds(60))),
    .. Enumerable.Range(0, 3).Select(i => Loop(() => ViewerAsync(new Random(100 + i)))),
    Loop(() => ChurnAsync(new Random(200))),
    Loop(() => MalformedAsync(new Random(300))),
];

while (!stop.IsCancellationRequested && !server.HasExited)
{
    long rss = ReadRssKiB(server.Id);
    int descriptors = Directory.Exists($"/proc/{server.Id}/fd") ? Directory.GetFileSystemEntries($"/proc/{server.Id}/fd").Length : -1;
    samples.Add((clock.Elapsed, rss, descriptors));
    await metrics.WriteLineAsync(string.Join(',', (long)clock.Elapsed.TotalSeconds, rss, descriptors, counters.VodRequests, counters.VodBytes, counters.CorruptBytes, counters.Viewers, counters.ViewerBytes, counters.Publishers, counters.Malformed, counters.Errors));
    try
    {
        await Task.Delay(TimeSpan.FromSeconds(10), stop.Token);
    }
    catch (OperationCanceledException)
    {
    }
}

bool died = server.HasExited;
await stop.CancelAsync();
await Task.WhenAll(workers);
if (!died)
{
    // Settle: every client of the soak is gone, so what the server holds now is its own.
    await Task.Delay(TimeSpan.FromSeconds(3));
    samples.Add((clock.Elapsed, ReadRssKiB(server.Id), Directory.GetFileSystemEntries($"/proc/{server.Id}/fd").Length));
    using var term = Process.Start("kill", ["-TERM", server.Id.ToString(CultureInfo.InvariantCulture)]);
    if (!server.WaitForExit(TimeSpan.FromSeconds(20)))
    {
        server.Kill(entireProcessTree: true);
    }
}

int third = Math.Max(1, samples.Count / 3);
var early = samples.Take(third).ToList();
var late = samples.Skip(samples.Count - third).ToList();
long earlyRss = early.Max(s => s.RssKiB), lateRss = late.Max(s => s.RssKiB);
int earlyFds = early.Max(s => s.Descriptors), lateFds = late.Max(s => s.Descriptors), finalFds = samples[^1].Descriptors, firstFds = samples[0].Descriptors;
string summary = string.Join(Environment.NewLine,
    $"duration: {clock.Elapsed:hh\\:mm\\:ss}",
    $"vod: {counters.VodRequests} range requests, {counters.VodBytes} bytes, corrupt bytes: {counters.CorruptBytes}",
    $"live: {counters.Viewers} viewer sessions, {counters.ViewerBytes} bytes, misaligned packets: {counters.Misaligned}; {counters.Publishers} publisher sessions",
    $"malformed requests: {counters.Malformed}; client-side errors: {counters.Errors}",
    $"rss KiB: first {samples[0].RssKiB}, max of first third {earlyRss}, max of last third {lateRss}, max {samples.Max(s => s.RssKiB)}, end {samples[^1].RssKiB}",
    $"descriptors: first {firstFds}, max of first third {earlyFds}, max of last third {lateFds}, after the clients left {finalFds}",
    $"server: {(died ? "DIED" : "alive until stopped, exit " + server.ExitCode)}");
Console.WriteLine(summary);
await File.WriteAllTextAsync(Path.Combine(output, "summary.txt"), summary + Environment.NewLine);
await File.WriteAllTextAsync(Path.Combine(output, "server.log"), serverOutput.ToString());

// Flat: the last third holds no more than the first third plus a margin (the GC's heap settles in the first minutes).
bool flat = lateRss <= earlyRss * 5 / 4 + 32 * 1024 && finalFds <= firstFds + 8;
bool ok = !died && counters.CorruptBytes == 0 && counters.Misaligned == 0 && flat;
Console.WriteLine(ok ? "soak: passed" : "soak: FAILED");
return ok ? 0 : 1;

async Task Loop(Func<Task> work)
{
    while (!stop.IsCancellationRequested)
    {
        try
        {
            await work();
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException or EndOfStreamException)
        {
            if (!stop.IsCancellationRequested)
            {
                Interlocked.Increment(ref counters.Errors);
                await Task.Delay(100);
            }
        }
    }
}

async Task VodRangeAsync(Random random)
{
    using Socket socket = await ConnectAsync(http);
    for (int i = 0; i < 20 && !stop.IsCancellationRequested; i++)
    {
        (string name, byte[] file) = random.Next(2) == 0 ? ("clip.mp4", videos["clip.mp4"]) : ("clip.ts", videos["clip.ts"]);
        int first = random.Next(file.Length);
        int last = Math.Min(file.Length - 1, first + random.Next(1, 256 * 1024));
        await SendAsync(socket, $"GET /videos/{name} HTTP/1.1\r\nHost: soak\r\nRange: bytes={first}-{last}\r\n\r\n");
        (string head, byte[] body) = await ReadResponseAsync(socket);
        int expected = last - first + 1;
        Interlocked.Increment(ref counters.VodRequests);
        Interlocked.Add(ref counters.VodBytes, body.Length);
        if (!head.StartsWith("HTTP/1.1 206", StringComparison.Ordinal) || body.Length != expected
            || !SHA256.HashData(body).AsSpan().SequenceEqual(SHA256.HashData(file.AsSpan(first, expected))))
        {
            Interlocked.Add(ref counters.CorruptBytes, Math.Max(expected, 1));
        }

        await Task.Delay(5); // Leaves CPU for the rest of the mix on a small machine.
    }
}

async Task LivePushAsync(string name, TimeSpan length)
{
    using Socket socket = await ConnectAsync(http);
    await SendAsync(socket, $"PUT /live/{name} HTTP/1.1\r\nHost: soak\r\nTransfer-Encoding: chunked\r\n\r\n");
    Interlocked.Increment(ref counters.Publishers);
    var until = Stopwatch.StartNew();
    for (int offset = 0; until.Elapsed < length && !stop.IsCancellationRequested; offset = (offset + 188 * 40) % (stream.Length - 188 * 40))
    {
        // About 3 Mbit/s in chunks of 40 packets, looping over the clip.
        await socket.SendAsync(Encoding.ASCII.GetBytes($"{188 * 40:x}\r\n"));
        await socket.SendAsync(stream.AsMemory(offset, 188 * 40));
        await socket.SendAsync("\r\n"u8.ToArray());
        await Task.Delay(20);
    }

    await socket.SendAsync("0\r\n\r\n"u8.ToArray());
    await ReadResponseAsync(socket);
}

async Task ViewerAsync(Random random)
{
    using Socket socket = await ConnectAsync(http);
    await SendAsync(socket, "GET /live/soak HTTP/1.1\r\nHost: soak\r\n\r\n");
    using var watch = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
    watch.CancelAfter(TimeSpan.FromMilliseconds(random.Next(500, 5000)));
    var received = new MemoryStream();
    byte[] buffer = new byte[64 * 1024];
    try
    {
        while (true)
        {
            int n = await socket.ReceiveAsync(buffer, SocketFlags.None, watch.Token);
            if (n == 0)
            {
                break;
            }

            received.Write(buffer, 0, n);
        }
    }
    catch (OperationCanceledException) when (!stop.IsCancellationRequested)
    {
        // Leaves mid-stream, as a viewer closing the tab does.
    }

    byte[] all = received.ToArray();
    int headEnd = all.AsSpan().IndexOf("\r\n\r\n"u8);
    if (headEnd < 0)
    {
        return; // The channel was between publishers (404): try again.
    }

    Interlocked.Increment(ref counters.Viewers);
    ReadOnlySpan<byte> body = all.AsSpan(headEnd + 4);
    Interlocked.Add(ref counters.ViewerBytes, body.Length);
    if (Encoding.ASCII.GetString(all, 0, 12) == "HTTP/1.1 200")
    {
        // The live stream is whole packets from a sync point: every 188th byte is the sync byte.
        for (int i = 0; i + 188 <= body.Length; i += 188)
        {
            if (body[i] != 0x47)
            {
                Interlocked.Increment(ref counters.Misaligned);
                break;
            }
        }
    }
}

async Task ChurnAsync(Random random)
{
    // Short publishers on fresh names over PUT, then a raw TCP push to the ingest.
    string name = "churn-" + random.Next(1000);
    using (Socket socket = await ConnectAsync(http))
    {
        int length = 188 * random.Next(1, 200);
        await SendAsync(socket, $"PUT /live/{name} HTTP/1.1\r\nHost: soak\r\nContent-Length: {length}\r\n\r\n");
        await socket.SendAsync(stream.AsMemory(0, length));
        await ReadResponseAsync(socket);
        Interlocked.Increment(ref counters.Publishers);
    }

    using (Socket raw = await ConnectAsync(ingest))
    {
        await raw.SendAsync(stream.AsMemory(0, 188 * random.Next(1, 500)));
        raw.Shutdown(SocketShutdown.Send);
        Interlocked.Increment(ref counters.Publishers);
    }

    await Task.Delay(random.Next(50, 500));
}

async Task MalformedAsync(Random random)
{
    string[] seeds =
    [
        "GET /videos HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET /videos/clip.mp4 HTTP/1.1\r\nHost: a\r\nRange: bytes=0-99\r\n\r\n",
        "PUT /live/x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabcde\r\n0\r\n\r\n",
        "\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
    ];
    byte[] request = Encoding.ASCII.GetBytes(seeds[random.Next(seeds.Length)]);
    for (int m = random.Next(1, 8); m > 0; m--)
    {
        request[random.Next(request.Length)] = (byte)random.Next(256);
    }

    using Socket socket = await ConnectAsync(http);
    await socket.SendAsync(request);
    socket.Shutdown(SocketShutdown.Send);
    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
    byte[] buffer = new byte[16 * 1024];
    while (await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token) > 0)
    {
    }

    Interlocked.Increment(ref counters.Malformed);
    await Task.Delay(5);
}

static async Task<Socket> ConnectAsync(IPEndPoint endPoint)
{
    var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
    await socket.ConnectAsync(endPoint);
    return socket;
}

static async Task SendAsync(Socket socket, string text) => await socket.SendAsync(Encoding.ASCII.GetBytes(text));

static async Task<(string Head, byte[] Body)> ReadResponseAsync(Socket socket)
{
    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
    var pending = new List<byte>();
    byte[] buffer = new byte[64 * 1024];
    int headEnd;
    while ((headEnd = CollectionsMarshalIndexOf(pending)) < 0)
    {
        int n = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
        if (n == 0)
        {
            throw new EndOfStreamException("closed before a response head");
        }

        pending.AddRange(buffer.AsSpan(0, n));
    }

    string head = Encoding.Latin1.GetString(pending.GetRange(0, headEnd).ToArray());
    Match length = Regex.Match(head, @"(?im)^Content-Length:\s*(\d+)");
    int bodyLength = length.Success && !head.StartsWith("HTTP/1.1 304", StringComparison.Ordinal) && !head.StartsWith("HTTP/1.1 204", StringComparison.Ordinal)
        ? int.Parse(length.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
    pending.RemoveRange(0, headEnd + 4);
    while (pending.Count < bodyLength)
    {
        int n = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
        if (n == 0)
        {
            throw new EndOfStreamException("closed before the end of a body");
        }

        pending.AddRange(buffer.AsSpan(0, n));
    }

    return (head, pending.GetRange(0, bodyLength).ToArray());
}

static int CollectionsMarshalIndexOf(List<byte> bytes) => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(bytes).IndexOf("\r\n\r\n"u8);

static long ReadRssKiB(int pid)
{
    try
    {
        string? line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return line is null ? -1 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }
    catch (IOException)
    {
        return -1;
    }
}

static bool TryParseDuration(string text, out TimeSpan duration)
{
    duration = default;
    Match match = Regex.Match(text, @"^(\d+)([smh]?)$");
    if (!match.Success)
    {
        return false;
    }

    long value = long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    duration = match.Groups[2].Value switch { "m" => TimeSpan.FromMinutes(value), "h" => TimeSpan.FromHours(value), _ => TimeSpan.FromSeconds(value) };
    return true;
}

internal sealed class Counters
{
    public long VodRequests;
    public long VodBytes;
    public long CorruptBytes;
    public long Viewers;
    public long ViewerBytes;
    public long Misaligned;
    public long Publishers;
    public long Malformed;
    public long Errors;
}
