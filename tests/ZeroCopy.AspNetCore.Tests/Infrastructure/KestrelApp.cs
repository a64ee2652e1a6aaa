using MediaServer.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace ZeroCopy.AspNetCore.Tests.Infrastructure;

/// <summary>
/// A real Kestrel server on 127.0.0.1 and a free port, with the endpoints a test maps, every log entry captured (debug
/// included) and an <see cref="HttpClient"/> for it. Dispose to stop it.
/// </summary>
public sealed class KestrelApp : IAsyncDisposable
{
    private readonly WebApplication _app;

    private KestrelApp(WebApplication app, CapturedLogs logs)
    {
        _app = app;
        Logs = logs;
        BaseAddress = new Uri(app.Urls.Single());
        Client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(20) };
    }

    public Uri BaseAddress { get; }

    public HttpClient Client { get; }

    public CapturedLogs Logs { get; }

    /// <summary>The full URL of <paramref name="path"/>, for external clients.</summary>
    public string Url(string path) => new Uri(BaseAddress, path).ToString();

    public static async Task<KestrelApp> StartAsync(Action<IEndpointRouteBuilder> map)
    {
        var logs = new CapturedLogs();
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders().SetMinimumLevel(LogLevel.Debug).AddProvider(logs);
        WebApplication app = builder.Build();
        map(app);
        await app.StartAsync();
        return new KestrelApp(app, logs);
    }

    /// <summary>Waits until an entry matching <paramref name="match"/> was logged, or fails after 10 s.</summary>
    public async Task WaitForLogAsync(Func<CapturedLogs.Entry, bool> match, string what)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!Logs.Entries.Any(match))
        {
            Assert.False(timeout.IsCancellationRequested, $"no log entry {what} within 10 s; logged:\n{string.Join("\n", Logs.Entries)}");
            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
