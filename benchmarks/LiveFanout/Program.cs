using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using ZeroCopy.Tests.Infrastructure;

// Live fan-out load: one ingest at a fixed bit rate (a synthetic MPEG-TS, so no encoder's CPU is in the way) pushed
// to a media server's ingest port, and N viewers reading GET /live/{channel}. After a warm-up, it measures for the
// given time whether every viewer keeps up (receives at least 95% of what was ingested in the window, and is never
// disconnected) and whether the ingest ever stalled (fell more than 1 s behind its schedule). Prints one JSON line.
//
//   LiveFanout --ingest-port 9000 --http-port 8080 [--channel live] [--viewers 100] [--seconds 60] [--mbps 20]
//   LiveFanout --dump FILE [--seconds 60] [--mbps 20]      (write the synthetic stream to a file instead)
var options = new Dictionary<string, string>(StringComparer.Ordinal);
for (int i = 0; i + 1 < args.Length; i += 2)
{
    options[args[i]] = args[i + 1];
}

string Option(string name, string fallback) => options.TryGetValue(name, out string? value) ? value : fallback;
int ingestPort = int.Parse(Option("--ingest-port", "9000"), CultureInfo.InvariantCulture);
int httpPort = int.Parse(Option("--http-port", "8080"), CultureInfo.InvariantCulture);
string channel = Option("--channel", "live");
int viewerCount = int.Parse(Option("--viewers", "100"), CultureInfo.InvariantCulture);
int seconds = int.Parse(Option("--seconds", "60"), CultureInfo.InvariantCulture);
double mbps = double.Parse(Option("--mbps", "20"), CultureInfo.InvariantCulture);
const int FramesPerSecond = 25;
TimeSpan warmup = TimeSpan.FromSeconds(3);

var stream = new SyntheticStream((int)(mbps * 1e6 / 8 / FramesPerSecond), FramesPerSecond);
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
var ingest = new Ingest();

using var ingestSocket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
await ingestSocket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, ingestPort));
Task ingestTask = ingest.RunAsync(ingestSocket, stream, FramesPerSecond, stop.Token);
await Task.Delay(1000); // let the server see a first keyframe

var viewers = new Viewer[viewerCount];
Task[] viewerTasks = new Task[viewerCount];
for (int i = 0; i < viewerCount; i++)
{
    viewers[i] = new Viewer();
    viewerTasks[i] = viewers[i].RunAsync(httpPort, channel, stop.Token);
}

await Task.Delay(warmup);
long ingestStart = Volatile.Read(ref ingest.Bytes);
long[] viewerStart = viewers.Select(v => Volatile.Read(ref v.Bytes)).ToArray();
var window = Stopwatch.StartNew();
await Task.Delay(TimeSpan.FromSeconds(seconds));
double elapsed = window.Elapsed.TotalSeconds;
long ingested = Volatile.Read(ref ingest.Bytes) - ingestStart;
long[] received = viewers.Select((v, i) => Volatile.Read(ref v.Bytes) - viewerStart[i]).ToArray();
await stop.CancelAsync();
ingestSocket.Dispose();
await Task.WhenAll(viewerTasks.Append(ingestTask)).WaitAsync(TimeSpan.FromSeconds(30)).ContinueWith(_ => { });

int behind = received.Count(r => r < ingested * 0.95);
int disconnected = viewers.Count(v => v.DisconnectedEarly);
var report = new
{
    viewers = viewerCount,
    seconds = Math.Round(elapsed, 1),
    target_mbps = mbps,
    ingest_mbps = Math.Round(ingested * 8 / elapsed / 1e6, 2),
    ingest_stalls = ingest.Stalls,
    viewers_behind = behind,
    viewers_disconnected = disconnected,
    min_viewer_ratio = received.Length == 0 ? 1 : Math.Round(received.Min() / (double)Math.Max(1, ingested), 3),
    fanout_gbps = Math.Round(received.Sum() / elapsed / 1e9, 3),
    ok = behind == 0 && disconnected == 0 && ingest.Stalls == 0,
};
Console.WriteLine("RESULT " + JsonSerializer.Serialize(report));
return report.ok ? 0 : 1;

/// <summary>
/// The synthetic MPEG-TS, frame by frame: PAT, PMT and one H.264 video PID whose frames are filler bytes. Every
/// <c>framesPerKeyframe</c>-th frame starts with the random-access indicator set and an IDR NAL unit, preceded by PAT
/// and PMT, so servers find sync points exactly as they would in a real stream. Costs almost no CPU to produce, so the
/// ingest's rate is set by the load tool, not by an encoder. Built by the tests' <see cref="TransportStreamBuilder"/>.
/// </summary>
internal sealed class SyntheticStream(int bytesPerFrame, int framesPerKeyframe)
{
    private readonly TransportStreamBuilder _builder = new(audio: false);
    private readonly int _packetsPerFrame = Math.Max(1, bytesPerFrame / TransportStreamBuilder.PacketSize);
    private long _frame;

    /// <summary>The next frame's packets; valid until the next call.</summary>
    public ReadOnlyMemory<byte> NextFrame()
    {
        bool keyframe = _frame++ % framesPerKeyframe == 0;
        _builder.Clear();
        if (keyframe)
        {
            _builder.Pat().Pmt();
        }

        _builder.Video(keyframe, randomAccessIndicator: keyframe, packets: _packetsPerFrame);
        return _builder.Written;
    }
}

/// <summary>Pushes the synthetic stream at a fixed frame rate; a stall is falling more than 1 s behind schedule.</summary>
internal sealed class Ingest
{
    public long Bytes;
    public int Stalls;

    public async Task RunAsync(Socket socket, SyntheticStream stream, int framesPerSecond, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        long frames = 0;
        bool stalled = false;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                ReadOnlyMemory<byte> frame = stream.NextFrame();
                await socket.SendAsync(frame, SocketFlags.None, cancellationToken);
                Interlocked.Add(ref Bytes, frame.Length);
                frames++;
                TimeSpan due = TimeSpan.FromSeconds(frames / (double)framesPerSecond);
                TimeSpan late = clock.Elapsed - due;
                if (late > TimeSpan.FromSeconds(1) && !stalled)
                {
                    Stalls++;
                    stalled = true;
                }
                else if (late < TimeSpan.Zero)
                {
                    stalled = false;
                    await Task.Delay(-late, cancellationToken);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }
}

/// <summary>One viewer: GET /live/{channel}, then count every byte of the endless response.</summary>
internal sealed class Viewer
{
    public long Bytes;
    public bool DisconnectedEarly;

    public async Task RunAsync(int port, string channel, CancellationToken cancellationToken)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        byte[] buffer = new byte[64 * 1024];
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken);
            await socket.SendAsync(Encoding.ASCII.GetBytes($"GET /live/{channel} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"), SocketFlags.None, cancellationToken);
            bool headerDone = false;
            var header = new List<byte>();
            while (!cancellationToken.IsCancellationRequested)
            {
                int n = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
                if (n == 0)
                {
                    DisconnectedEarly = true;
                    return;
                }

                int body = 0;
                if (!headerDone)
                {
                    header.AddRange(buffer.AsSpan(0, n));
                    int end = IndexOfHeaderEnd(header);
                    if (end < 0)
                    {
                        continue;
                    }

                    headerDone = true;
                    body = header.Count - end;
                    if (!Encoding.ASCII.GetString(header.ToArray(), 0, 12).StartsWith("HTTP/1.1 200", StringComparison.Ordinal))
                    {
                        DisconnectedEarly = true;
                        return;
                    }
                }
                else
                {
                    body = n;
                }

                Interlocked.Add(ref Bytes, body);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (SocketException)
        {
            DisconnectedEarly = !cancellationToken.IsCancellationRequested;
        }
    }

    private static int IndexOfHeaderEnd(List<byte> header)
    {
        for (int i = 3; i < header.Count; i++)
        {
            if (header[i - 3] == '\r' && header[i - 2] == '\n' && header[i - 1] == '\r' && header[i] == '\n')
            {
                return i + 1;
            }
        }

        return -1;
    }
}
