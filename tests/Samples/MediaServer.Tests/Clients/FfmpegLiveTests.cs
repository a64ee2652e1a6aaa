using MediaServer.Live;
using MediaServer.Tests.Infrastructure;
using ZeroCopy.Tests.Infrastructure;

namespace MediaServer.Tests.Clients;

/// <summary>ffmpeg publishes (raw TCP, HTTP PUT) and ffmpeg viewers decode the live channels.</summary>
public sealed class FfmpegLiveTests(ServerFixture server) : IClassFixture<ServerFixture>, IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(45);

    public void Dispose() => server.Logs.AssertNoFaults();

    private Uri Channel(string name) => new(server.BaseUri, "live/" + name);

    [Fact]
    public async Task ATcpPushIsDecodedCleanlyByAViewerAndALateJoiner()
    {
        using RunningTool publisher = ExternalTool.Start("ffmpeg", LiveHelpers.FfmpegPush($"tcp://{server.Server.IngestEndPoint}", seconds: 12));
        await LiveHelpers.WaitForChannelAsync(server, ChannelName.TcpIngest, publisher: publisher);

        Task<ToolResult> first = ExternalTool.RunAsync("ffmpeg", LiveHelpers.FfmpegView(Channel("live")), s_timeout);
        await Task.Delay(TimeSpan.FromSeconds(2));
        Task<ToolResult> late = ExternalTool.RunAsync("ffmpeg", LiveHelpers.FfmpegView(Channel("live")), s_timeout);

        foreach (ToolResult viewer in await Task.WhenAll(first, late))
        {
            viewer.AssertClean();
            Assert.True(LiveHelpers.FramesDecoded(viewer) >= 40, $"decoded {LiveHelpers.FramesDecoded(viewer)} frames:\n{viewer.StandardError}");
        }

        (await publisher.WaitAsync(s_timeout)).AssertClean();
        await LiveHelpers.WaitForChannelGoneAsync(server, ChannelName.TcpIngest);
    }

    [Fact]
    public async Task AnHttpPutPushWithAudioIsDecodedCleanly()
    {
        using RunningTool publisher = ExternalTool.Start("ffmpeg", LiveHelpers.FfmpegPush(Channel("cam1").ToString(), seconds: 8, withAudio: true, "-method", "PUT"));
        await LiveHelpers.WaitForChannelAsync(server, "cam1", publisher: publisher);

        ToolResult viewer = await ExternalTool.RunAsync("ffmpeg", LiveHelpers.FfmpegView(Channel("cam1")), s_timeout);

        viewer.AssertClean();
        Assert.Contains("Audio: aac", viewer.StandardError, StringComparison.Ordinal);
        Assert.True(LiveHelpers.FramesDecoded(viewer) >= 40, viewer.StandardError);
        (await publisher.WaitAsync(s_timeout)).AssertClean(); // ffmpeg got its 204 at the end of the body
        await LiveHelpers.WaitForChannelGoneAsync(server, "cam1");
        await server.Logs.AssertLoggedAsync(entry => entry.Message.StartsWith("PUT /live/cam1 -> 204", StringComparison.Ordinal), "ffmpeg's PUT");
    }

    [Fact]
    public async Task AViewerGetsADecodableStreamFromItsPreambleToThePublishersEnd()
    {
        using RunningTool publisher = ExternalTool.Start("ffmpeg", LiveHelpers.FfmpegPush($"tcp://{server.Server.IngestEndPoint}", seconds: 4));
        await LiveHelpers.WaitForChannelAsync(server, ChannelName.TcpIngest, minBytes: 20_000, publisher: publisher);

        using var viewer = await LiveHelpers.ConnectViewerAsync(server.HttpEndPoint, ChannelName.TcpIngest);
        (string head, byte[] body) = await LiveHelpers.ReadToEndAsync(viewer, s_timeout);

        Assert.StartsWith("HTTP/1.1 200 OK", head, StringComparison.Ordinal);
        Assert.Contains("Content-Type: video/mp2t", head, StringComparison.Ordinal);
        Assert.Contains("Connection: close", head, StringComparison.Ordinal);
        Assert.Equal(0, body.Length % 188);
        Assert.Equal(0, TransportStreamBuilder.PidAt(body, 0)); // PAT first: a decoder can start right here

        ToolResult decode = await ExternalTool.RunAsync("ffmpeg", ["-hide_banner", "-nostdin", "-v", "warning", "-f", "mpegts", "-i", "pipe:0", "-f", "null", "-"], s_timeout, body);
        decode.AssertClean();
        (await publisher.WaitAsync(s_timeout)).AssertClean();
    }
}
