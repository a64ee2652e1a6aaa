using MediaServer.AccessControl;
using MediaServer.Cli;

namespace MediaServer.Tests.Infrastructure;

/// <summary>
/// A server with its SRT ingest on a free UDP port, publishing by stream key only (channel <c>cam</c>: <see cref="Key"/>;
/// <c>*</c>: <see cref="AnyChannelKey"/>), and publishers dropped after 3 s of silence so that a vanished encoder ends
/// its channel within a test's time.
/// </summary>
public class SrtServerFixture : ServerFixture
{
    public const string Key = "cam-key-0123456789";
    public const string AnyChannelKey = "any-key-0123456789";

    public static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(3);

    internal override MediaServerOptions Configure(MediaServerOptions options) => options with
    {
        SrtPort = 0,
        PublishAuth = PublishAuth.Required,
        StreamKeys = new Dictionary<string, string> { ["cam"] = Key, ["*"] = AnyChannelKey },
        IngestIdleTimeout = IdleTimeout,
    };

    /// <summary>The SRT ingest's endpoint.</summary>
    public System.Net.IPEndPoint SrtEndPoint => Server.SrtEndPoint ?? throw new InvalidOperationException($"the SRT ingest is off: {Server.SrtUnavailable}");

    /// <summary>An <c>srt://</c> URL of the ingest for ffmpeg: the stream id as is (Debian 12's ffmpeg 5.1 does not decode percent escapes in it; its query ends at the next &amp;).</summary>
    public string SrtUrl(string streamId) => $"srt://{SrtEndPoint}?streamid={streamId}";
}
