using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using MediaServer.Live;

namespace MediaServer.Tests.Infrastructure;

/// <summary>Publishing and watching live channels from tests: ffmpeg command lines, waits, raw viewers.</summary>
public static partial class LiveHelpers
{
    /// <summary>ffmpeg arguments that encode a test pattern in real time (-re) for <paramref name="seconds"/> and push it to <paramref name="output"/>.</summary>
    public static string[] FfmpegPush(string output, int seconds, bool withAudio = false, params string[] outputOptions)
    {
        var arguments = new List<string> { "-hide_banner", "-nostdin", "-loglevel", "warning", "-re", "-f", "lavfi", "-i", "testsrc=size=320x180:rate=25" };
        if (withAudio)
        {
            arguments.AddRange(["-re", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100"]);
        }

        arguments.AddRange(["-t", seconds.ToString(CultureInfo.InvariantCulture), "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "25", "-pix_fmt", "yuv420p"]);
        if (withAudio)
        {
            arguments.AddRange(["-c:a", "aac", "-b:a", "64k"]);
        }

        arguments.AddRange(outputOptions);
        arguments.AddRange(["-f", "mpegts", output]);
        return [.. arguments];
    }

    /// <summary>ffmpeg arguments of a viewer that decodes <paramref name="seconds"/> of a live channel and discards them.</summary>
    public static string[] FfmpegView(Uri channel, int seconds = 2) =>
        ["-hide_banner", "-nostdin", "-i", channel.ToString(), "-t", seconds.ToString(CultureInfo.InvariantCulture), "-f", "null", "-"];

    /// <summary>The number of frames ffmpeg reports having processed (its last <c>frame=</c> statistic).</summary>
    public static int FramesDecoded(ToolResult result)
    {
        MatchCollection matches = FrameStatistic().Matches(result.StandardError);
        return matches.Count == 0 ? 0 : int.Parse(matches[^1].Groups[1].Value, CultureInfo.InvariantCulture);
    }

    /// <summary>Waits until channel <paramref name="name"/> exists and has ingested at least <paramref name="minBytes"/>.</summary>
    internal static async Task<LiveChannel> WaitForChannelAsync(ServerFixture server, string name, long minBytes = 1, RunningTool? publisher = null)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(15))
        {
            if (server.Server.Channels.TryGet(name, out LiveChannel? channel) && channel.BytesReceived >= minBytes)
            {
                return channel;
            }

            if (publisher is { Process.HasExited: true })
            {
                Assert.Fail($"the publisher exited with {publisher.Process.ExitCode} before channel '{name}' appeared: {publisher.StandardError}");
            }

            await Task.Delay(50);
        }

        Assert.Fail($"channel '{name}' did not reach {minBytes} bytes within 15 s; publisher stderr: {publisher?.StandardError}");
        return null!;
    }

    /// <summary>Waits until channel <paramref name="name"/> is gone (its publisher ended).</summary>
    public static async Task WaitForChannelGoneAsync(ServerFixture server, string name)
    {
        var clock = Stopwatch.StartNew();
        while (server.Server.Channels.TryGet(name, out _))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"channel '{name}' still exists after 15 s");
            await Task.Delay(50);
        }
    }

    /// <summary>
    /// Starts a chunked PUT of channel <paramref name="name"/> that sends no payload yet, and waits for the channel: it
    /// stays published until <see cref="EndHeldChannelAsync"/>.
    /// </summary>
    /// <param name="query">A query for the PUT's target, such as a credential (<c>key=…</c>); empty for none.</param>
    /// <param name="local">The address to publish from (another loopback address is another client); 127.0.0.1 by default.</param>
    public static async Task<RawHttpConnection> HoldChannelAsync(ServerFixture server, string name, string query = "", IPAddress? local = null)
    {
        RawHttpConnection publisher = await RawHttpConnection.ConnectAsync(server.HttpEndPoint, local);
        await publisher.SendAsync(RawHttpConnection.Request("PUT", $"/live/{name}{(query.Length > 0 ? "?" + query : string.Empty)}", "Transfer-Encoding: chunked") + "10\r\n");
        await WaitForChannelAsync(server, name, minBytes: 0);
        return publisher;
    }

    /// <summary>Ends a PUT started by <see cref="HoldChannelAsync"/>: its 16-byte chunk, the last chunk, a 204, and the channel gone.</summary>
    public static async Task EndHeldChannelAsync(ServerFixture server, RawHttpConnection publisher, string name)
    {
        await publisher.SendAsync("0123456789abcdef\r\n0\r\n\r\n");
        Assert.Equal(204, (await publisher.ReadResponseAsync()).Status);
        await WaitForChannelGoneAsync(server, name);
    }

    /// <summary>Asserts that a PUT of channel <paramref name="name"/> is answered <paramref name="status"/>, says <paramref name="reason"/>, and is closed.</summary>
    public static async Task AssertPutRefusedAsync(ServerFixture server, string name, int status, string reason, string query = "", IPAddress? local = null)
    {
        using RawHttpConnection publisher = await RawHttpConnection.ConnectAsync(server.HttpEndPoint, local);
        await publisher.SendAsync(RawHttpConnection.Request("PUT", $"/live/{name}{(query.Length > 0 ? "?" + query : string.Empty)}", "Transfer-Encoding: chunked") + "10\r\n");
        RawResponse refused = await publisher.ReadResponseAsync();
        Assert.Equal(status, refused.Status);
        Assert.Contains(reason, refused.Text, StringComparison.Ordinal);
        Assert.True(await publisher.IsClosedByServerAsync());
    }

    /// <summary>
    /// Asserts that a raw TCP push is refused: raw TCP cannot answer, so the server closes the connection at once, and the
    /// log says why (the line is written before the close).
    /// </summary>
    public static async Task AssertTcpPushRefusedAsync(ServerFixture server, string reason)
    {
        using var publisher = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await publisher.ConnectAsync(server.Server.IngestEndPoint);
        Assert.Equal(0, await publisher.ReceiveAsync(new byte[16], SocketFlags.None).WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains(server.Logs.Entries, entry => entry.EventId.Id == 302
            && entry.Message.StartsWith($"live '{ChannelName.TcpIngest}': refused publisher ", StringComparison.Ordinal)
            && entry.Message.EndsWith(": " + reason, StringComparison.Ordinal));
    }

    /// <summary>Connects a raw viewer: sends GET /live/{name} and returns the socket (the caller reads the response).</summary>
    public static async Task<Socket> ConnectViewerAsync(IPEndPoint endPoint, string name, int? receiveBufferSize = null)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        if (receiveBufferSize is { } size)
        {
            socket.ReceiveBufferSize = size;
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await socket.ConnectAsync(endPoint, timeout.Token);
        await socket.SendAsync(System.Text.Encoding.ASCII.GetBytes($"GET /live/{name} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"), SocketFlags.None, timeout.Token);
        return socket;
    }

    /// <summary>Reads a viewer's whole response until the server closes it; returns the head and the body.</summary>
    public static async Task<(string Head, byte[] Body)> ReadToEndAsync(Socket socket, TimeSpan timeout, Action<long>? progress = null)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var all = new MemoryStream();
        byte[] buffer = new byte[64 * 1024];
        int received;
        while ((received = await socket.ReceiveAsync(buffer, SocketFlags.None, cancel.Token)) > 0)
        {
            all.Write(buffer, 0, received);
            progress?.Invoke(all.Length);
        }

        byte[] bytes = all.ToArray();
        int end = bytes.AsSpan().IndexOf("\r\n\r\n"u8);
        Assert.True(end > 0, "no response head");
        return (System.Text.Encoding.ASCII.GetString(bytes, 0, end), bytes[(end + 4)..]);
    }

    /// <summary>
    /// Connects a raw TCP publisher (channel <see cref="ChannelName.TcpIngest"/>) and pushes the stream's first
    /// <paramref name="bytes"/>, paced; returns once they are published.
    /// </summary>
    public static async Task<Socket> PublishRawAsync(ServerFixture server, byte[] stream, int bytes)
    {
        var publisher = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await publisher.ConnectAsync(server.Server.IngestEndPoint);
        await PushPacedAsync(publisher, stream, 0, bytes);
        await WaitForChannelAsync(server, ChannelName.TcpIngest, minBytes: bytes);
        return publisher;
    }

    /// <summary>Ends a raw publisher's stream (the end of its sending side) and waits until its channel is gone.</summary>
    public static async Task EndRawPublishAsync(ServerFixture server, Socket publisher)
    {
        publisher.Shutdown(SocketShutdown.Send);
        await WaitForChannelGoneAsync(server, ChannelName.TcpIngest);
    }

    /// <summary>
    /// Pushes <c>stream[from..to)</c> to a raw ingest socket in 8 KiB pieces, <paramref name="pieceInterval"/> apart (60 ms
    /// by default: about 130 KiB/s, slow enough for the HLS segmenter to cut parts); returns <paramref name="to"/>.
    /// </summary>
    public static async Task<int> PushPacedAsync(Socket publisher, byte[] stream, int from, int to, TimeSpan? pieceInterval = null)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        for (int offset = from; offset < to; offset += 8 * 1024)
        {
            await publisher.SendAsync(stream.AsMemory(offset, Math.Min(8 * 1024, to - offset)), SocketFlags.None, timeout.Token);
            await Task.Delay(pieceInterval ?? TimeSpan.FromMilliseconds(60), timeout.Token);
        }

        return to;
    }

    [GeneratedRegex(@"frame=\s*(\d+)")]
    private static partial Regex FrameStatistic();
}
