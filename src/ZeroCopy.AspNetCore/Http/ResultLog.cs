using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ZeroCopy.AspNetCore;

/// <summary>The package's log messages, under the category <c>ZeroCopy.AspNetCore</c>; one home for their levels and ids.</summary>
internal static partial class ResultLog
{
    /// <summary>The log category of every message.</summary>
    public const string Category = "ZeroCopy.AspNetCore";

    /// <summary>The app's logger for the package, or a no-op one when the app has no logging.</summary>
    public static ILogger For(HttpContext context) =>
        context.RequestServices?.GetService<ILoggerFactory>()?.CreateLogger(Category) ?? NullLogger.Instance;

    [LoggerMessage(1, LogLevel.Debug, "The client left before the {Count} bytes of {Path} were sent")]
    public static partial void ClientLeft(ILogger logger, string path, long count);

    [LoggerMessage(2, LogLevel.Debug, "Live viewer of {Path} left")]
    public static partial void ViewerLeft(ILogger logger, string path);

    [LoggerMessage(3, LogLevel.Information, "Live viewer of {Path} cut off: it fell a whole ring behind while its connection was not draining")]
    public static partial void ViewerCutOff(ILogger logger, string path);

    [LoggerMessage(4, LogLevel.Warning, "Live stream of {Path} failed: {Reason}")]
    public static partial void StreamFailed(ILogger logger, string path, string reason);
}
