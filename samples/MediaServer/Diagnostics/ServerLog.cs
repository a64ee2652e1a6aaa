using Microsoft.Extensions.Logging;

namespace MediaServer.Diagnostics;

/// <summary>Every log message of the server, as source-generated logging methods (no formatting unless enabled).</summary>
internal static partial class ServerLog
{
    // HTTP front (1xx)
    [LoggerMessage(100, LogLevel.Debug, "{Remote} connected")]
    public static partial void ConnectionOpened(ILogger logger, string remote);

    [LoggerMessage(101, LogLevel.Debug, "{Remote} disconnected")]
    public static partial void ConnectionClosed(ILogger logger, string remote);

    [LoggerMessage(102, LogLevel.Debug, "{Remote} dropped: {Reason}")]
    public static partial void ConnectionDropped(ILogger logger, string remote, string reason);

    [LoggerMessage(103, LogLevel.Error, "{Remote} failed")]
    public static partial void ConnectionFailed(ILogger logger, string remote, Exception exception);

    [LoggerMessage(104, LogLevel.Information, "{Remote} bad request: {Status} {Reason}")]
    public static partial void BadRequest(ILogger logger, string remote, int status, string reason);

    [LoggerMessage(105, LogLevel.Information, "{Method} {Target} -> {Status}, {Bytes} body bytes in {Milliseconds:0.0} ms")]
    public static partial void Request(ILogger logger, string method, string target, int status, long bytes, double milliseconds);

    [LoggerMessage(106, LogLevel.Warning, "{Listener}: refused {Address}: the {Budget} budget of {Limit} is spent ({Unlogged} more refusals since the last logged)")]
    public static partial void ConnectionRejected(ILogger logger, string listener, string address, string budget, int limit, int unlogged);

    [LoggerMessage(107, LogLevel.Warning, "{Count} connections still open after the shutdown timeout")]
    public static partial void ShutdownTimedOut(ILogger logger, int count);

    [LoggerMessage(109, LogLevel.Warning, "{EndPoint}: out of file descriptors with {Count} connections open ({Reason}); accepting again when some are freed")]
    public static partial void DescriptorsExhausted(ILogger logger, string endPoint, int count, string reason);

    [LoggerMessage(110, LogLevel.Warning, "{EndPoint}: accepting again after {Seconds:0.0} s without file descriptors")]
    public static partial void DescriptorsRecovered(ILogger logger, string endPoint, double seconds);

    [LoggerMessage(111, LogLevel.Error, "{EndPoint}: accept failed; retrying")]
    public static partial void AcceptFailed(ILogger logger, string endPoint, Exception exception);

    // Media library (2xx)
    [LoggerMessage(200, LogLevel.Information, "loaded {Name}: {Size} bytes, {Description}")]
    public static partial void VideoLoaded(ILogger logger, string name, long size, string description);

    [LoggerMessage(201, LogLevel.Warning, "skipped {Name}: {Reason}")]
    public static partial void VideoSkipped(ILogger logger, string name, string reason);

    [LoggerMessage(202, LogLevel.Warning, "no keyframe index for {Name} (timecode seeks unavailable): {Reason}")]
    public static partial void IndexFailed(ILogger logger, string name, string reason);

    // Live (3xx)
    [LoggerMessage(300, LogLevel.Information, "live '{Channel}': publisher {Remote} started ({Transport})")]
    public static partial void PublishStarted(ILogger logger, string channel, string remote, string transport);

    [LoggerMessage(301, LogLevel.Information, "live '{Channel}': publisher ended after {Bytes} bytes ({Reason})")]
    public static partial void PublishEnded(ILogger logger, string channel, long bytes, string reason);

    [LoggerMessage(302, LogLevel.Warning, "live '{Channel}': refused publisher {Remote}: {Reason}")]
    public static partial void PublishRefused(ILogger logger, string channel, string remote, string reason);

    [LoggerMessage(303, LogLevel.Information, "live '{Channel}': viewer {Remote} joined ({Viewers} watching)")]
    public static partial void ViewerJoined(ILogger logger, string channel, string remote, int viewers);

    [LoggerMessage(304, LogLevel.Information, "live '{Channel}': viewer {Remote} left after {Bytes} bytes, {Skips} skips ({Reason})")]
    public static partial void ViewerLeft(ILogger logger, string channel, string remote, long bytes, int skips, string reason);

    [LoggerMessage(305, LogLevel.Error, "live '{Channel}': the HLS segmenter failed; its playlist stays as it was")]
    public static partial void SegmenterFailed(ILogger logger, string channel, Exception exception);

    [LoggerMessage(306, LogLevel.Warning, "SRT ingest off: {Reason}")]
    public static partial void SrtUnavailable(ILogger logger, string reason);

    [LoggerMessage(307, LogLevel.Error, "SRT ingest: {Operation} failed; carrying on")]
    public static partial void SrtFailed(ILogger logger, string operation, Exception exception);
}
