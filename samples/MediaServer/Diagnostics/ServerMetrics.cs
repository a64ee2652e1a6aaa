using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace MediaServer.Diagnostics;

/// <summary>
/// The server's own instruments, on the meter <see cref="MeterName"/>: HTTP requests by the OpenTelemetry semantic
/// conventions for HTTP servers (<c>http.server.request.duration</c>, <c>http.server.active_requests</c>), and
/// connections open and refused per listener, named like Kestrel's (<c>kestrel.active_connections</c>,
/// <c>kestrel.rejected_connections</c>) so that dashboards carry over. Recording costs an enabled check when nobody
/// listens, and allocates nothing when someone does.
/// </summary>
internal static class ServerMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "MediaServer";

    /// <summary>The listener tag: <c>http</c> or <c>ingest</c>.</summary>
    public const string ListenerTag = "mediaserver.listener";

    /// <summary>The budget tag of a refusal: the option that sets it (<c>max-connections</c>, <c>max-connections-per-address</c>).</summary>
    public const string BudgetTag = "mediaserver.budget";

    private static readonly Meter s_meter = new(MeterName);

    // The status codes boxed once, so that a measurement's tags allocate nothing.
    private static readonly object?[] s_statusCodes = new object?[600];

    private static readonly KeyValuePair<string, object?> s_scheme = new("url.scheme", "http");
    private static readonly KeyValuePair<string, object?> s_protocolVersion = new("network.protocol.version", "1.1");

    /// <summary>Connections being served (UpDownCounter), by listener.</summary>
    public static readonly UpDownCounter<long> ActiveConnections =
        s_meter.CreateUpDownCounter<long>("mediaserver.active_connections", "{connection}", "Connections being served.");

    /// <summary>Connections closed at accept because a budget was spent (Counter), by listener and budget.</summary>
    public static readonly Counter<long> RejectedConnections =
        s_meter.CreateCounter<long>("mediaserver.rejected_connections", "{connection}", "Connections closed at accept because a connection budget was spent.");

    /// <summary>How long each request took, head parsed to response sent (Histogram, s), by method, route and status.</summary>
    public static readonly Histogram<double> RequestDuration = s_meter.CreateHistogram(
        "http.server.request.duration",
        "s",
        "Duration of HTTP server requests.",
        tags: null,
        new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10] });

    /// <summary>Requests being handled (UpDownCounter), by method.</summary>
    public static readonly UpDownCounter<long> ActiveRequests =
        s_meter.CreateUpDownCounter<long>("http.server.active_requests", "{request}", "Number of active HTTP server requests.");

    /// <summary>Counts a request in (after its head parsed).</summary>
    public static void RequestStarted(string method)
    {
        if (ActiveRequests.Enabled)
        {
            ActiveRequests.Add(1, new("http.request.method", KnownMethod(method)), s_scheme);
        }
    }

    /// <summary>Counts a request out and records its duration since <paramref name="started"/> (a <see cref="Stopwatch"/> timestamp).</summary>
    /// <param name="route">The route template that matched, or <see langword="null"/> (no <c>http.route</c> tag then, as the conventions say).</param>
    /// <param name="status">The status sent; 0 when none was (the client left first): recorded without a status.</param>
    public static void RequestEnded(string method, string? route, int status, long started)
    {
        var methodTag = new KeyValuePair<string, object?>("http.request.method", KnownMethod(method));
        if (ActiveRequests.Enabled)
        {
            ActiveRequests.Add(-1, methodTag, s_scheme);
        }

        if (RequestDuration.Enabled)
        {
            var tags = new TagList { methodTag, s_scheme, s_protocolVersion };
            if (route is not null)
            {
                tags.Add("http.route", route);
            }

            if (status is >= 100 and < 600)
            {
                tags.Add("http.response.status_code", s_statusCodes[status] ??= status);
            }

            RequestDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tags);
        }
    }

    // The conventions bound the method tag's values: a method the server does not know is _OTHER.
    private static string KnownMethod(string method) => method switch
    {
        "GET" or "HEAD" or "PUT" or "POST" or "DELETE" or "OPTIONS" or "PATCH" or "TRACE" or "CONNECT" => method,
        _ => "_OTHER",
    };
}
