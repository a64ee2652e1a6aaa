using MediaServer.Live;

namespace MediaServer.Tests.Infrastructure;

/// <summary>
/// A server whose channel <c>live</c> ffmpeg publishes (a test pattern with audio, in real time, to the TCP ingest) for
/// the whole test class, so that its tests find the channel playing, with history to join behind the live edge. The
/// publisher stops after four minutes at the latest, and is killed when the class ends.
/// </summary>
public class LiveServerFixture : ServerFixture
{
    private RunningTool? _publisher;

    /// <summary>The ffmpeg that publishes the channel.</summary>
    public RunningTool Publisher => _publisher ?? throw new InvalidOperationException("the server has not started");

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        _publisher = ExternalTool.Start("ffmpeg", LiveHelpers.FfmpegPush($"tcp://{Server.IngestEndPoint}", seconds: 240, withAudio: true, "-flush_packets", "1"));
        await LiveHelpers.WaitForChannelAsync(this, ChannelName.TcpIngest, minBytes: 20_000, publisher: _publisher);
    }

    public override async ValueTask DisposeAsync()
    {
        _publisher?.Dispose();
        await base.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
