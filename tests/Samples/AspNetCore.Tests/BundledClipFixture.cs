using System.Net;
using AspNetCoreSample;
using MediaServer.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;

namespace AspNetCore.Tests;

/// <summary>
/// The sample's app on 127.0.0.1 and a free port, serving the media server's bundled <c>clip.mp4</c> (copied next to
/// the tests, <see cref="MediaFiles"/>), the file the media server's tests run the HTTP semantics table on.
/// </summary>
public sealed class BundledClipFixture : IAsyncLifetime
{
    private WebApplication _app = null!;

    public IPEndPoint EndPoint { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        _app = await VideoApp.BuildAsync(["--urls", "http://127.0.0.1:0", "--media", MediaFiles.Directory]);
        await _app.StartAsync();
        var url = new Uri(_app.Urls.Single());
        EndPoint = new IPEndPoint(IPAddress.Loopback, url.Port);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
