using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

// Live fan-out load: one ingest at a fixed bit rate (a synthetic MPEG-TS, so no encoder's CPU is in the way) pushed
// to a media server's ingest port, and N viewers. After a warm-up, it measures for the given time whether every viewer
// keeps up (receives at least 95% of what was ingested in the window, and is never disconnected or skipped ahead) and
// whether the ingest ever stalled (fell more than 1 s behind its schedule). Prints one JSON line.
//
//   --mode stream       N viewers of the continuous stream, GET /live/{channel} (the default)
//   --mode hls          N Low-Latency HLS viewers, each holding a blocking playlist reload and the preload-hinted part
//                       at the live edge, as hls.js does (HlsViewer); adds the part delivery latency under load
//   --mode hls-latency  the same viewers, but one small frame every --interval-ms (300, above the server's 250 ms part
//                       interval, so that each frame's arrival publishes one part): p50/p99 of the time from a frame's
//                       send to the delivery of the part it publishes, and of the playlist that lists it, to clients
//                       that were holding the request
//
//   LiveFanout --ingest-port 9000 --http-port 8080 [--mode stream|hls|hls-latency] [--channel live] [--viewers 100]
//              [--seconds 60] [--mbps 20] [--interval-ms 300] [--frame-bytes 3760]
//   LiveFanout --dump FILE [--seconds 60] [--mbps 20]      (write the synthetic stream to a file instead)
var options = new Dictionary<string, string>(StringComparer.Ordinal);
for (int i = 0; i + 1 < args.Length; i += 2)
{
    options[args[i]] = args[i + 1];
}

string Option(string name, string fallback) => options.TryGetValue(name, out string? value) ? value : fallback;
int ingestPort = int.Parse(Option("--ingest-port", "9000"), CultureInfo.InvariantCulture);
int httpPort = int.Parse(Option("--http-port", "8080"), CultureInfo.InvariantCulture);
string mode = Option("--mode", "stream");
string channel = Option("--channel", "live");
int viewerCount = int.Parse(Option("--viewers", mode == "hls-latency" ? "50" : "100"), CultureInfo.InvariantCulture);
int seconds = int.Parse(Option("--seconds", "60"), CultureInfo.InvariantCulture);
double mbps = double.Parse(Option("--mbps", "20"), CultureInfo.InvariantCulture);
if (mode is not ("stream" or "hls" or "hls-latency"))
{
    Console.Error.WriteLine($"--mode '{mode}': expected stream, hls or hls-latency");
    return 2;
}

const int FramesPerSecond = 25;
TimeSpan warmup = TimeSpan.FromSeconds(mode == "stream" ? 3 : 5);
bool latencyMode = mode == "hls-latency";
TimeSpan frameInterval = latencyMode
    ? TimeSpan.FromMilliseconds(int.Parse(Option("--interval-ms", "300"), CultureInfo.InvariantCulture))
    : TimeSpan.FromSeconds(1.0 / FramesPerSecond);
int frameBytes = latencyMode
    ? int.Parse(Option("--frame-bytes", "3760"), CultureInfo.InvariantCulture)
    : (int)(mbps * 1e6 / 8 / FramesPerSecond);

// A keyframe a second, as in section 8 (in the latency mode, the first frame of each second).
int framesPerKeyframe = (int)Math.Ceiling(1 / frameInterval.TotalSeconds);
var stream = new SyntheticStream(frameBytes, framesPerKeyframe, frameInterval);
if (options.TryGetValue("--dump", out string? dumpPath))
{
    // Writes the synthetic stream to a file instead (for checking it with ffprobe).
    using FileStream file = File.Create(dumpPath);
    for (int frame = 0; frame < seconds * FramesPerSecond; frame++)
    {
        file.Write(stream.NextFrame().Span);
    }

    return 0;
}

using var stop = new CancellationTokenSource();
var ingest = new Ingest(frameInterval, (int)((seconds + warmup.TotalSeconds + 60) / frameInterval.TotalSeconds));

using var ingestSocket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
await ingestSocket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, ingestPort));
Task ingestTask = ingest.RunAsync(ingestSocket, stream, stop.Token);
await Task.Delay(1000); // let the server see a first keyframe

StreamViewer[] streamViewers = mode == "stream" ? [.. Enumerable.Range(0, viewerCount).Select(_ => new StreamViewer())] : [];
HlsViewer[] hlsViewers = mode == "stream" ? [] : [.. Enumerable.Range(0, viewerCount).Select(_ => new HlsViewer(httpPort, channel, ingest, framesPerKeyframe))];
Task[] viewerTasks =
[
    .. streamViewers.Select(v => v.RunAsync(httpPort, channel, stop.Token)),
    .. hlsViewers.Select(v => Task.Run(() => v.RunAsync(stop.Token))),
];
Func<long>[] viewerBytes = [.. streamViewers.Select(v => (Func<long>)(() => Volatile.Read(ref v.Bytes))), .. hlsViewers.Select(v => (Func<long>)(() => Volatile.Read(ref v.Bytes)))];

await Task.Delay(warmup);
long ingestStart = Volatile.Read(ref ingest.Bytes);
long[] viewerStart = [.. viewerBytes.Select(bytes => bytes())];
int[] skipsStart = [.. hlsViewers.Select(v => v.Skips)];
foreach (HlsViewer viewer in hlsViewers)
{
    viewer.Recording = true;
}

// The window's edges on stdout (autoflushed), so that a harness can read the server's CPU over the window alone.
Console.WriteLine("WINDOW START");
var window = Stopwatch.StartNew();
await Task.Delay(TimeSpan.FromSeconds(seconds));
double elapsed = window.Elapsed.TotalSeconds;
Console.WriteLine("WINDOW END");
long ingested = Volatile.Read(ref ingest.Bytes) - ingestStart;
long[] received = [.. viewerBytes.Select((bytes, i) => bytes() - viewerStart[i])];
foreach (HlsViewer viewer in hlsViewers)
{
    viewer.Recording = false;
}

await stop.CancelAsync();
ingestSocket.Dispose();
await Task.WhenAll(viewerTasks.Append(ingestTask)).WaitAsync(TimeSpan.FromSeconds(30)).ContinueWith(_ => { });

// In the latency mode a viewer may get less than 95% of the bytes (each part is one small frame; a part lost to a
// segment's end is a 404), so only skips and errors count there.
bool Skipped(int i) => i >= streamViewers.Length && hlsViewers[i - streamViewers.Length].Skips > skipsStart[i - streamViewers.Length];
int behind = Enumerable.Range(0, viewerCount).Count(i => Skipped(i) || (!latencyMode && received[i] < ingested * 0.95));
int disconnected = streamViewers.Count(v => v.DisconnectedEarly) + hlsViewers.Count(v => v.Errors > 0);
double[] partLatencies = [.. hlsViewers.SelectMany(v => v.PartLatencies).Order()];
double[] playlistLatencies = [.. hlsViewers.SelectMany(v => v.PlaylistLatencies).Order()];
var report = new Dictionary<string, object>
{
    ["mode"] = mode,
    ["viewers"] = viewerCount,
    ["seconds"] = Math.Round(elapsed, 1),
    ["target_mbps"] = latencyMode ? Math.Round(frameBytes * 8 / frameInterval.TotalSeconds / 1e6, 3) : mbps,
    ["ingest_mbps"] = Math.Round(ingested * 8 / elapsed / 1e6, 2),
    ["ingest_stalls"] = ingest.Stalls,
    ["viewers_behind"] = behind,
    ["viewers_disconnected"] = disconnected,
    ["min_viewer_ratio"] = received.Length == 0 ? 1 : Math.Round(received.Min() / (double)Math.Max(1, ingested), 3),
    ["fanout_gbps"] = Math.Round(received.Sum() / elapsed / 1e9, 3),
};
if (hlsViewers.Length > 0)
{
    report["hls_errors"] = hlsViewers.Sum(v => v.Errors);
    report["hls_missing_hinted_parts"] = hlsViewers.Sum(v => v.Missing);
    report["part_latency_ms"] = Percentiles(partLatencies);
}

if (latencyMode)
{
    report["playlist_latency_ms"] = Percentiles(playlistLatencies);
}

bool ok = behind == 0 && disconnected == 0 && ingest.Stalls == 0;
report["ok"] = ok;
Console.WriteLine("RESULT " + JsonSerializer.Serialize(report));
return ok ? 0 : 1;

// p50, p99 and the maximum of sorted samples, in milliseconds, with their count.
static Dictionary<string, double> Percentiles(double[] sorted) => sorted.Length == 0
    ? new() { ["count"] = 0 }
    : new()
    {
        ["count"] = sorted.Length,
        ["p50"] = Math.Round(sorted[(int)(0.50 * (sorted.Length - 1))], 2),
        ["p99"] = Math.Round(sorted[(int)(0.99 * (sorted.Length - 1))], 2),
        ["max"] = Math.Round(sorted[^1], 2),
    };
