using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;
using MediaServer.Live;
using MediaServer.Tests.Infrastructure;

namespace MediaServer.Tests.Clients;

/// <summary>Low-Latency HLS of a live channel, read by ffmpeg and ffprobe and by a raw client holding blocking requests.</summary>
public sealed class FfmpegHlsTests(ServerFixture server) : IClassFixture<ServerFixture>, IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    public void Dispose() => server.Logs.AssertNoFaults();

    private async Task<RunningTool> PublishAsync(int seconds)
    {
        // -flush_packets 1: the encoder sends each frame as it is made, as a live encoder would.
        RunningTool publisher = ExternalTool.Start("ffmpeg", LiveHelpers.FfmpegPush($"tcp://{server.Server.IngestEndPoint}", seconds, withAudio: true, "-flush_packets", "1"));
        await LiveHelpers.WaitForChannelAsync(server, ChannelName.TcpIngest, publisher: publisher);
        return publisher;
    }

    [Fact]
    public async Task FfmpegReadsThePlaylistAndDecodesSecondsOfTheChannelWithoutAnError()
    {
        using RunningTool publisher = await PublishAsync(seconds: 14);
        using var client = new HttpClient();
        await HlsHelpers.WaitForPreloadHintAsync(client, HlsHelpers.Playlist(server.BaseUri, "live"));

        ToolResult viewer = await ExternalTool.RunAsync("ffmpeg", ["-hide_banner", "-nostdin", "-i", HlsHelpers.Playlist(server.BaseUri, "live").ToString(), "-t", "4", "-f", "null", "-"], s_timeout);

        viewer.AssertClean();
        Assert.Contains("Video: h264", viewer.StandardError, StringComparison.Ordinal);
        Assert.Contains("Audio: aac", viewer.StandardError, StringComparison.Ordinal);
        Assert.True(LiveHelpers.FramesDecoded(viewer) >= 90, $"decoded {LiveHelpers.FramesDecoded(viewer)} frames:\n{viewer.StandardError}");
        (await publisher.WaitAsync(s_timeout)).AssertClean();
        await LiveHelpers.WaitForChannelGoneAsync(server, ChannelName.TcpIngest);
    }

    [Fact]
    public async Task ABlockedReloadAndAPreloadHintGetTheNextPartAsSoonAsItIsPublished()
    {
        using RunningTool publisher = await PublishAsync(seconds: 10);
        using var client = new HttpClient();
        Uri playlist = HlsHelpers.Playlist(server.BaseUri, "live");
        (string first, string hint, long msn, int part) = await HlsHelpers.WaitForPreloadHintAsync(client, playlist);
        Assert.Contains("#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES", first, StringComparison.Ordinal);
        Assert.DoesNotContain($"URI=\"{hint}\"", first.Split("#EXT-X-PRELOAD-HINT")[0], StringComparison.Ordinal);

        // Both ask for what is not published yet: the part the hint names, and the playlist that lists it.
        Task<HttpResponseMessage> blocked = client.GetAsync(HlsHelpers.Playlist(server.BaseUri, "live", $"?_HLS_msn={msn}&_HLS_part={part}"));
        Task<byte[]> hinted = client.GetByteArrayAsync(new Uri(playlist, hint));

        using HttpResponseMessage reload = await blocked.WaitAsync(s_timeout);
        string updated = await reload.Content.ReadAsStringAsync();
        byte[] body = await hinted.WaitAsync(s_timeout);

        Assert.Contains($"#EXT-X-PART:DURATION=", updated, StringComparison.Ordinal);
        Assert.Contains($"URI=\"{hint}\"", updated.Split("#EXT-X-PRELOAD-HINT")[0], StringComparison.Ordinal);
        Assert.Equal("public, max-age=12", reload.Headers.CacheControl?.ToString());
        Assert.NotNull(reload.Headers.Age);
        Assert.True(body.Length > 0 && body.Length % 188 == 0, $"part of {body.Length} bytes");
        (await publisher.WaitAsync(s_timeout)).AssertClean();
        await LiveHelpers.WaitForChannelGoneAsync(server, ChannelName.TcpIngest);
    }

    [Fact]
    public async Task ATimeShiftedJoinDecodesFromTheKeyframeAtTheRequestedPresentationTime()
    {
        using RunningTool publisher = await PublishAsync(seconds: 12);
        await LiveHelpers.WaitForChannelAsync(server, ChannelName.TcpIngest, minBytes: 1, publisher: publisher);
        await Task.Delay(TimeSpan.FromSeconds(6));

        // ffmpeg's stream starts near 1.4 s with a keyframe a second (-g 25): the keyframe at or before 3.4 s (00:00:03:10
        // at 25 fps) is less than a second earlier.
        using Socket viewer = await ConnectAsync("/live/live?t=00:00:03:10");
        byte[] joined = await ReadForAsync(viewer, TimeSpan.FromSeconds(2));
        string path = Path.Combine(Path.GetTempPath(), $"timeshift-{Guid.NewGuid():N}.ts");
        await File.WriteAllBytesAsync(path, joined);
        try
        {
            ToolResult probe = await ExternalTool.RunAsync("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "frame=pts_time,key_frame", "-of", "json", path], s_timeout);
            probe.AssertClean();
            using JsonDocument frames = JsonDocument.Parse(probe.StandardOutput);
            JsonElement firstFrame = frames.RootElement.GetProperty("frames")[0];
            double time = double.Parse(firstFrame.GetProperty("pts_time").GetString()!, CultureInfo.InvariantCulture);

            Assert.Equal(1, firstFrame.GetProperty("key_frame").GetInt32());
            Assert.InRange(time, 2.4001, 3.4);
        }
        finally
        {
            File.Delete(path);
        }

        (await publisher.WaitAsync(s_timeout)).AssertClean();
        await LiveHelpers.WaitForChannelGoneAsync(server, ChannelName.TcpIngest);
    }

    [Fact]
    public async Task ThePlaylistTimeShiftStartsPlayersAtTheRequestedKeyframe()
    {
        using RunningTool publisher = await PublishAsync(seconds: 10);
        using var client = new HttpClient();
        await HlsHelpers.WaitForPreloadHintAsync(client, HlsHelpers.Playlist(server.BaseUri, "live"));
        await Task.Delay(TimeSpan.FromSeconds(3));

        string shifted = await client.GetStringAsync(HlsHelpers.Playlist(server.BaseUri, "live", "?t=-4"));
        using HttpResponseMessage bad = await client.GetAsync(HlsHelpers.Playlist(server.BaseUri, "live", "?t=soon"));

        Assert.Matches("#EXT-X-START:TIME-OFFSET=[0-9.]+,PRECISE=YES", shifted);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, bad.StatusCode);
        (await publisher.WaitAsync(s_timeout)).AssertClean();
        await LiveHelpers.WaitForChannelGoneAsync(server, ChannelName.TcpIngest);
    }

    private async Task<Socket> ConnectAsync(string target)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(server.HttpEndPoint);
        await socket.SendAsync(System.Text.Encoding.ASCII.GetBytes($"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"), SocketFlags.None);
        return socket;
    }

    /// <summary>Reads a live response for <paramref name="duration"/>, then returns its body.</summary>
    private static async Task<byte[]> ReadForAsync(Socket socket, TimeSpan duration)
    {
        var all = new MemoryStream();
        byte[] buffer = new byte[64 * 1024];
        using var stop = new CancellationTokenSource(duration);
        try
        {
            int received;
            while ((received = await socket.ReceiveAsync(buffer, SocketFlags.None, stop.Token)) > 0)
            {
                all.Write(buffer, 0, received);
            }
        }
        catch (OperationCanceledException)
        {
            // Read long enough.
        }

        byte[] bytes = all.ToArray();
        int end = bytes.AsSpan().IndexOf("\r\n\r\n"u8);
        Assert.True(end > 0, "no response head");
        Assert.StartsWith("HTTP/1.1 200", System.Text.Encoding.ASCII.GetString(bytes, 0, end), StringComparison.Ordinal);
        byte[] body = bytes[(end + 4)..];
        return body[..(body.Length / 188 * 188)];
    }
}
