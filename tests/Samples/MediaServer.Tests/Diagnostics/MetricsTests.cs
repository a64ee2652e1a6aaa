using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using MediaServer.Cli;
using MediaServer.Tests.Infrastructure;

namespace MediaServer.Tests.Diagnostics;

/// <summary>A server that serves /metrics on a port of its own.</summary>
public sealed class MetricsFixture : ServerFixture
{
    private int _metricsPort;

    internal override MediaServerOptions Configure(MediaServerOptions options) => options with { MetricsPort = _metricsPort };

    // The exporter's HttpListener cannot take port 0, and a port found free is free only until another process (a
    // browser's debugging port, an edge's nginx) takes it: on "address already in use", another port.
    public override async ValueTask InitializeAsync()
    {
        for (int attempt = 1; ; attempt++)
        {
            _metricsPort = FreePort();
            try
            {
                await base.InitializeAsync();
                return;
            }
            catch (InvalidOperationException e) when (e.InnerException is HttpListenerException && attempt < 5)
            {
                // Taken meanwhile: the host released what it had bound; try another port.
            }
        }
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}

/// <summary>Prometheus scrapes of the running server, through the OpenTelemetry exporter.</summary>
public sealed partial class MetricsTests(MetricsFixture server) : IClassFixture<MetricsFixture>, IDisposable
{
    private static readonly HttpClient s_client = new() { Timeout = TimeSpan.FromSeconds(10) };

    public void Dispose() => server.Logs.AssertNoFaults();

    [Fact]
    public async Task TheReaderCountEqualsTheViewersConnectedWhenScraped()
    {
        const string Channel = "metrics";
        using RawHttpConnection publisher = await LiveHelpers.HoldChannelAsync(server, Channel);
        var viewers = new List<Socket>();
        try
        {
            for (int i = 0; i < 3; i++)
            {
                viewers.Add(await LiveHelpers.ConnectViewerAsync(server.HttpEndPoint, Channel));
            }

            Assert.Equal(3, await WaitForReaderCountAsync(Channel, 3));

            viewers[0].Dispose();
            viewers.RemoveAt(0);
            Assert.Equal(2, await WaitForReaderCountAsync(Channel, 2));
        }
        finally
        {
            viewers.ForEach(viewer => viewer.Dispose());
            await LiveHelpers.EndHeldChannelAsync(server, publisher, Channel);
        }
    }

    [Fact]
    public async Task BytesSentFromAVideoCacheAreCountedAsTransmitted()
    {
        double before = Sum(await ScrapeAsync(), "zerocopy_cache_io_bytes_total", "zerocopy_io_direction=\"transmit\"");
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(server.BaseUri, "videos/clip.mp4"));
        request.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(1000, 200_999);
        using HttpResponseMessage response = await s_client.SendAsync(request);
        Assert.Equal(200_000, (await response.Content.ReadAsByteArrayAsync()).Length);

        // The library counts a send when it completes, which may be just after the client has read the last byte.
        double after = before;
        for (int attempt = 0; attempt < 100 && after - before < 200_000; attempt++)
        {
            await Task.Delay(attempt == 0 ? 0 : 100);
            after = Sum(await ScrapeAsync(), "zerocopy_cache_io_bytes_total", "zerocopy_io_direction=\"transmit\"");
        }

        Assert.True(after - before >= 200_000, $"transmitted {after - before} bytes between the scrapes");
    }

    [Fact]
    public async Task RequestsAreMeasuredByMethodRouteAndStatusUnderTheServicesName()
    {
        const string Metric = "http_server_request_duration_seconds_count";
        const string RangeOfAVideo = "http_route=\"/videos/{name}\"";
        string before = await ScrapeAsync();
        using (var request = new HttpRequestMessage(HttpMethod.Get, new Uri(server.BaseUri, "videos/clip.mp4")))
        {
            request.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(0, 999);
            using HttpResponseMessage response = await s_client.SendAsync(request);
            Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        }

        using (HttpResponseMessage missing = await s_client.GetAsync(new Uri(server.BaseUri, "no/such/thing")))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }

        // The request is measured when its response has been sent, which may be just after the client read it.
        string after = before;
        for (int attempt = 0; attempt < 100 && Sum(after, Metric, RangeOfAVideo) <= Sum(before, Metric, RangeOfAVideo); attempt++)
        {
            await Task.Delay(attempt == 0 ? 0 : 100);
            after = await ScrapeAsync();
        }

        Assert.True(Sum(after, Metric, RangeOfAVideo) > Sum(before, Metric, RangeOfAVideo), $"no GET of /videos/{{name}} measured:\n{after}");
        Assert.Contains(Sample().Matches(after), m => m.Groups["name"].Value == Metric
            && m.Groups["labels"].Value.Contains("http_request_method=\"GET\"", StringComparison.Ordinal)
            && m.Groups["labels"].Value.Contains("http_response_status_code=\"206\"", StringComparison.Ordinal)
            && m.Groups["labels"].Value.Contains(RangeOfAVideo, StringComparison.Ordinal));
        Assert.Contains(Sample().Matches(after), m => m.Groups["name"].Value == Metric // an unknown path has no route
            && m.Groups["labels"].Value.Contains("http_response_status_code=\"404\"", StringComparison.Ordinal)
            && !m.Groups["labels"].Value.Contains("http_route", StringComparison.Ordinal));
        Assert.Contains("service_name=\"MediaServer\"", after, StringComparison.Ordinal);
        Assert.Contains("mediaserver_active_connections", after, StringComparison.Ordinal);
    }

    private async Task<long> WaitForReaderCountAsync(string channel, long expected)
    {
        long count = -1;
        for (int attempt = 0; attempt < 100 && count != expected; attempt++)
        {
            string text = await ScrapeAsync();
            count = (long)Sum(text, "zerocopy_live_reader_count", $"zerocopy_live_channel=\"{channel}\"");
            if (count != expected)
            {
                await Task.Delay(100);
            }
        }

        return count;
    }

    private async Task<string> ScrapeAsync()
    {
        using HttpResponseMessage response = await s_client.GetAsync(server.Server.MetricsUri!);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        return await response.Content.ReadAsStringAsync();
    }

    // The sum of a metric's samples whose labels contain the given one (Prometheus text format: name{labels} value).
    private static double Sum(string text, string metric, string label) =>
        Sample().Matches(text)
            .Where(m => m.Groups["name"].Value == metric && m.Groups["labels"].Value.Contains(label, StringComparison.Ordinal))
            .Sum(m => double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture));

    // A label value is quoted and may hold braces (a route template: http_route="/videos/{name}").
    [GeneratedRegex(@"(?m)^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)\{(?<labels>(?:[^""}]|""(?:[^""\\]|\\.)*"")*)\} (?<value>[-+0-9.eE]+)")]
    private static partial Regex Sample();
}
