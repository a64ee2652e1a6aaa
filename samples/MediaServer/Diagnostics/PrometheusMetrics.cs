using System.Net;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using ZeroCopy;

namespace MediaServer.Diagnostics;

/// <summary>
/// <c>/metrics</c> in Prometheus text format, on a port of its own, from the OpenTelemetry SDK and its Prometheus
/// exporter: the library's <c>ZeroCopy</c> meter (live channels, video cache transfers), the server's own
/// (<see cref="ServerMetrics"/>) and the runtime's, under <c>service.name</c> <c>MediaServer</c>.
/// </summary>
/// <remarks>
/// Its own port, as Prometheus exporters usually have (9464 by convention): a scrape never competes with viewers for the
/// media port's connection budget, and the metrics can be firewalled apart from the media.
/// </remarks>
internal sealed class PrometheusMetrics : IDisposable
{
    private readonly MeterProvider _provider;

    private PrometheusMetrics(MeterProvider provider, Uri endpoint)
    {
        _provider = provider;
        Endpoint = endpoint;
    }

    /// <summary>Where Prometheus scrapes, e.g. <c>http://127.0.0.1:9464/metrics</c>.</summary>
    public Uri Endpoint { get; }

    /// <summary>Starts the exporter on <paramref name="host"/>:<paramref name="port"/>.</summary>
    /// <exception cref="HttpListenerException">The port cannot be bound.</exception>
    public static PrometheusMetrics Start(IPAddress host, int port)
    {
        // HttpListener takes a host name or a wildcard, not "any address"; an IPv6 literal goes in brackets.
        bool any = host.Equals(IPAddress.Any) || host.Equals(IPAddress.IPv6Any);
        string name = any ? "*" : host.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{host}]" : host.ToString();
        MeterProvider provider = Sdk.CreateMeterProviderBuilder()
            .ConfigureResource(resource => resource.AddService(ServerMetrics.MeterName, serviceVersion: ZeroCopy.Samples.LibraryVersionAction.Version))
            .AddMeter(VideoCache.MeterName, ServerMetrics.MeterName, "System.Runtime")
            .AddPrometheusHttpListener(options =>
            {
                options.Host = name;
                options.Port = port;
                options.ScrapeResponseCacheDurationMilliseconds = 0; // every scrape reads the instruments now
            })
            .Build();
        string shown = any ? "127.0.0.1" : name;
        return new PrometheusMetrics(provider, new Uri($"http://{shown}:{port}/metrics"));
    }

    public void Dispose() => _provider.Dispose();
}
