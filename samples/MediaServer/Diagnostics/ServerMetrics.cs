using System.Diagnostics.Metrics;

namespace MediaServer.Diagnostics;

/// <summary>
/// The server's own instruments, on the meter <see cref="MeterName"/>: connections open and refused per listener, named
/// like Kestrel's (<c>kestrel.active_connections</c>, <c>kestrel.rejected_connections</c>) so that dashboards carry over.
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

    /// <summary>Connections being served (UpDownCounter), by listener.</summary>
    public static readonly UpDownCounter<long> ActiveConnections =
        s_meter.CreateUpDownCounter<long>("mediaserver.active_connections", "{connection}", "Connections being served.");

    /// <summary>Connections closed at accept because a budget was spent (Counter), by listener and budget.</summary>
    public static readonly Counter<long> RejectedConnections =
        s_meter.CreateCounter<long>("mediaserver.rejected_connections", "{connection}", "Connections closed at accept because a connection budget was spent.");
}
