using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using MediaServer.Cli;
using MediaServer.Live;

namespace MediaServer.Tests.Infrastructure;

/// <summary>
/// The edge tier of deploy/edge on loopback, once per test class: <see cref="OriginCount"/> media servers in-process
/// (each a <see cref="ServerFixture"/> on free ports, all serving one media folder: the bundled clips, a large
/// generated video and a few copies of a clip under other names), <see cref="EdgeCount"/> nginx edges in front of
/// all of them, each rendered by deploy/edge/render.sh and run in the foreground with its own prefix, and
/// <see cref="LiveEdgeCount"/> Varnish live edges, each run by deploy/edge/varnish.sh (varnishd in the foreground with
/// its own working directory). Everything is stopped, and the scratch folder removed, at the end of the class.
/// </summary>
public class EdgeCluster : IAsyncLifetime
{
    /// <summary>A video of about 58 MB: dozens of 1 MiB slices.</summary>
    public const string LargeVideo = "large.ts";

    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(30);

    private readonly List<OriginServer> _origins = [];
    private readonly List<string> _originAddresses = [];
    private readonly HashSet<int> _stopped = [];
    private readonly List<RunningTool> _edges = [];
    private readonly List<RunningTool> _liveEdges = [];
    private readonly List<int> _liveEdgePorts = [];
    private string[] _originArguments = [];
    // Not CreateTempSubdirectory (mode 0700): nginx started as root runs its workers as nobody, and they must reach the
    // cache and temp folders inside.
    private readonly string _scratch = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "edge-tests." + Guid.NewGuid().ToString("n"))).FullName;

    public virtual int OriginCount => 2;

    public virtual int EdgeCount => 2;

    /// <summary>Varnish live edges (deploy/edge/varnish.sh) in front of every origin.</summary>
    public virtual int LiveEdgeCount => 0;

    /// <summary>Names of copies of clip.ts (the keys that the failover test maps to origins).</summary>
    public virtual int KeyCopies => 0;

    /// <summary>The origins, in start order; a stopped one stays in the list.</summary>
    internal IReadOnlyList<ServerFixture> Origins => _origins;

    /// <summary>The edges' base URIs (http://127.0.0.1:port/).</summary>
    public List<Uri> Edges { get; } = [];

    /// <summary>The Varnish live edges' base URIs (http://127.0.0.1:port/); a restarted edge keeps its URI.</summary>
    public List<Uri> LiveEdges { get; } = [];

    public string MediaDirectory => Path.Combine(_scratch, "media");

    public static IEnumerable<string> KeyNames(int count) => Enumerable.Range(0, count).Select(i => $"key{i:00}.ts");

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(MediaDirectory);
        foreach (string name in new[] { MediaFiles.Mp4, MediaFiles.TransportStream })
        {
            File.Copy(MediaFiles.PathOf(name), Path.Combine(MediaDirectory, name));
        }

        foreach (string key in KeyNames(KeyCopies))
        {
            File.Copy(MediaFiles.PathOf(MediaFiles.TransportStream), Path.Combine(MediaDirectory, key));
        }

        // Noise makes it incompressible: 2 s of 720p MPEG-2 at the finest quantizer is about 58 MB in a second or two.
        (await ExternalTool.RunAsync("ffmpeg",
            ["-hide_banner", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=25", "-t", "2",
             "-vf", "noise=alls=60:allf=t", "-c:v", "mpeg2video", "-q:v", "2", "-g", "25", "-f", "mpegts", Path.Combine(MediaDirectory, LargeVideo)],
            TimeSpan.FromSeconds(60))).AssertClean();

        for (int i = 0; i < OriginCount; i++)
        {
            var origin = new OriginServer(MediaDirectory);
            _origins.Add(origin);
            await origin.InitializeAsync();
            _originAddresses.Add(origin.HttpEndPoint.ToString());
        }

        _originArguments = [.. _originAddresses.SelectMany(address => new[] { "--origin", address })];
        for (int i = 0; i < EdgeCount; i++)
        {
            await StartEdgeAsync(i, _originArguments);
        }

        for (int i = 0; i < LiveEdgeCount; i++)
        {
            _liveEdges.Add(await StartLiveEdgeAsync(i, FreePort()));
            LiveEdges.Add(new Uri($"http://127.0.0.1:{_liveEdgePorts[i].ToString(CultureInfo.InvariantCulture)}/"));
        }
    }

    /// <summary>Stops origin <paramref name="index"/> as a crash would look to an edge: its port refuses connections.</summary>
    public async Task StopOriginAsync(int index)
    {
        if (_stopped.Add(index))
        {
            await _origins[index].DisposeAsync();
            _origins[index].Dispose();
        }
    }

    /// <summary>Starts origin <paramref name="index"/> again, after <see cref="StopOriginAsync"/>, on its old port: it returns to its place on the edges' rings.</summary>
    public async Task RestartOriginAsync(int index)
    {
        Assert.True(_stopped.Contains(index), $"origin {index} is running");
        var origin = new OriginServer(MediaDirectory, IPEndPoint.Parse(_originAddresses[index]).Port);
        await origin.InitializeAsync();
        _origins[index] = origin;
        _stopped.Remove(index);
    }

    /// <summary>Stops live edge <paramref name="index"/> (varnishd and its cache process) and starts it again on the same port, with an empty cache.</summary>
    public async Task RestartLiveEdgeAsync(int index)
    {
        _liveEdges[index].Dispose();
        _liveEdges[index] = await StartLiveEdgeAsync(index, _liveEdgePorts[index]);
    }

    /// <summary>Whether origin <paramref name="index"/> is running (not stopped, or restarted since).</summary>
    public bool IsRunning(int index) => !_stopped.Contains(index);

    /// <summary>The origin whose HTTP endpoint is <paramref name="address"/> (as nginx's X-Origin names it), or -1.</summary>
    public int OriginIndexOf(string address) => _originAddresses.IndexOf(address);

    /// <summary>
    /// Starts ffmpeg publishing a test pattern with audio for <paramref name="seconds"/> as channel <paramref name="name"/>,
    /// by PUT through <paramref name="edge"/>, and waits until it lands on an origin; returns the publisher and that
    /// origin's index (the channel's home).
    /// </summary>
    public async Task<(RunningTool Publisher, int Home)> PublishThroughAsync(Uri edge, string name, int seconds)
    {
        RunningTool publisher = ExternalTool.Start("ffmpeg", LiveHelpers.FfmpegPush(new Uri(edge, $"live/{name}").ToString(), seconds, withAudio: true, "-method", "PUT"));
        return (publisher, await WaitForChannelAsync(name, publisher));
    }

    /// <summary>Waits until channel <paramref name="name"/> is published on one of the origins; returns its index.</summary>
    public async Task<int> WaitForChannelAsync(string name, RunningTool publisher)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            int home = _origins.FindIndex(origin => !_stopped.Contains(_origins.IndexOf(origin)) && origin.Server.Channels.TryGet(name, out LiveChannel? channel) && channel.BytesReceived > 0);
            if (home >= 0)
            {
                return home;
            }

            Assert.False(publisher.Process.HasExited, $"the publisher exited with {(publisher.Process.HasExited ? publisher.Process.ExitCode : 0)}: {publisher.StandardError}");
            await Task.Delay(50);
        }

        Assert.Fail($"channel '{name}' reached no origin within 20 s; publisher stderr: {publisher.StandardError}");
        return -1;
    }

    /// <summary>Every origin's logged requests whose target starts with <paramref name="target"/>.</summary>
    public int OriginRequests(string target) => _origins.Sum(origin => origin.Logs.Entries.Count(entry => entry.EventId.Id == 105
        && entry.Message.Contains(" " + target, StringComparison.Ordinal)));

    /// <summary>Fails with the faults any origin logged.</summary>
    public void AssertNoFaults()
    {
        foreach (OriginServer origin in _origins)
        {
            origin.Logs.AssertNoFaults();
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (RunningTool edge in _edges.Concat(_liveEdges))
        {
            edge.Dispose();
        }

        for (int i = 0; i < _origins.Count; i++)
        {
            await StopOriginAsync(i);
        }

        Directory.Delete(_scratch, recursive: true);
        GC.SuppressFinalize(this);
    }

    private async Task StartEdgeAsync(int index, string[] originArguments)
    {
        string prefix = Path.Combine(_scratch, $"edge{index}");
        Directory.CreateDirectory(Path.Combine(prefix, "tmp"));
        Directory.CreateDirectory(Path.Combine(prefix, "cache"));
        int port = FreePort();
        ToolResult rendered = await ExternalTool.RunAsync(
            "bash",
            [Path.Combine(AppContext.BaseDirectory, "edge", "render.sh"), .. originArguments, "--listen", $"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}", "--workers", "1", "--cache-size", "1g"],
            TimeSpan.FromSeconds(10));
        Assert.True(rendered.ExitCode == 0, rendered.StandardError);
        string configuration = Path.Combine(prefix, "edge.conf");
        await File.WriteAllTextAsync(configuration, rendered.StandardOutput);

        RunningTool nginx = ExternalTool.Start("nginx", ["-p", prefix, "-c", configuration]);
        _edges.Add(nginx);
        var edge = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/");
        await WaitUntilServingAsync(edge, nginx);
        Edges.Add(edge);
    }

    private async Task<RunningTool> StartLiveEdgeAsync(int index, int port)
    {
        if (index == _liveEdgePorts.Count)
        {
            _liveEdgePorts.Add(port);
        }

        // A fresh working directory each start: a restarted edge has nothing of its predecessor but its port.
        string workdir = Path.Combine(_scratch, $"live{index}." + Guid.NewGuid().ToString("n")[..8]);
        RunningTool varnish = ExternalTool.Start("bash",
            [Path.Combine(AppContext.BaseDirectory, "edge", "varnish.sh"), "--workdir", workdir, .. _originArguments,
             "--listen", $"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}", "--storage", "256m", "--threads", "50"]);
        await WaitUntilServingAsync(new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/"), varnish);
        return varnish;
    }

    /// <summary>Waits until <paramref name="edge"/> serves hls.min.js (through it, from an origin); fails if the edge exits or takes over 30 s.</summary>
    private static async Task WaitUntilServingAsync(Uri edge, RunningTool process)
    {
        using var client = new HttpClient();
        var clock = Stopwatch.StartNew();
        while (true)
        {
            Assert.False(process.Process.HasExited, $"{process.CommandLine} exited: {process.StandardError}");
            try
            {
                using HttpResponseMessage response = await client.GetAsync(new Uri(edge, "hls.min.js"));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException e)
            {
                Assert.True(clock.Elapsed < s_startTimeout, $"the edge {edge} did not answer within {s_startTimeout.TotalSeconds} s ({e.Message}); {process.CommandLine}: {process.StandardError}");
                await Task.Delay(50);
            }
        }
    }

    private static int FreePort()
    {
        using var probe = new Socket(SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    /// <summary>A media server of the tier: the usual in-process server, on the cluster's media folder (and on <paramref name="port"/> when restarted).</summary>
    private sealed class OriginServer(string media, int port = 0) : ServerFixture
    {
        internal override MediaServerOptions Configure(MediaServerOptions options) => options with { MediaDirectory = media, Port = port };
    }
}
