using System.Net;
using MediaServer.Cli;
using Microsoft.Extensions.Logging;

namespace MediaServer.Tests.Infrastructure;

/// <summary>
/// A media server in-process on 127.0.0.1 with free ports (0), serving the bundled media, run with a cancellation token
/// that the end of the test class cancels. Logs are captured so tests can assert the server never faulted.
/// </summary>
public class ServerFixture : IAsyncLifetime, IDisposable
{
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan s_stopTimeout = TimeSpan.FromSeconds(15);

    private readonly CancellationTokenSource _stop = new();
    private ILoggerFactory? _loggerFactory;
    private Task _run = Task.CompletedTask;

    internal MediaServerHost Server { get; private set; } = null!;

    public CapturedLogs Logs { get; } = new();

    public IPEndPoint HttpEndPoint => Server.HttpEndPoint;

    public Uri BaseUri => Server.BaseUri;

    /// <summary>Adjusts the options of this fixture's server (limits, live buffer…).</summary>
    internal virtual MediaServerOptions Configure(MediaServerOptions options) => options;

    /// <summary>The least level logged and captured: Debug, so tests see every line; a server as run in production logs less.</summary>
    protected virtual LogLevel MinimumLogLevel => LogLevel.Debug;

    public virtual async ValueTask InitializeAsync()
    {
        _loggerFactory = LoggerFactory.Create(logging => logging.SetMinimumLevel(MinimumLogLevel).AddProvider(Logs));
        MediaServerOptions options = Configure(new MediaServerOptions { Host = IPAddress.Loopback, Port = 0, IngestPort = 0 });
        var started = new TaskCompletionSource<MediaServerHost>(TaskCreationOptions.RunContinuationsAsynchronously);
        _run = MediaServerHost.RunAsync(options, _loggerFactory, host => started.TrySetResult(host), _stop.Token);
        Task first = await Task.WhenAny(started.Task, _run).WaitAsync(s_startTimeout);
        if (first == _run)
        {
            await _run; // Surfaces why the server could not start.
            throw new InvalidOperationException("the server stopped before it started");
        }

        Server = await started.Task;
    }

    public virtual async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _run.WaitAsync(s_stopTimeout);
        }
        finally
        {
            // xunit v3 calls DisposeAsync alone on a fixture that has both.
            _loggerFactory?.Dispose();
            _stop.Dispose();
            GC.SuppressFinalize(this);
        }
    }

    public void Dispose()
    {
        _stop.Dispose();
        GC.SuppressFinalize(this);
    }
}
