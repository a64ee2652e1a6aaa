using System.Net;
using MediaServer.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using ZeroCopy.AspNetCore.Tests.Infrastructure;

namespace ZeroCopy.AspNetCore.Tests.Live;

[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "xunit disposes it through IAsyncLifetime.DisposeAsync")]
public sealed class LiveStreamTests : IAsyncLifetime
{
    private readonly LiveCache _live = new(new LiveCacheOptions { Capacity = 1024 * 1024, SegmentSize = 64 * 1024 });
    private KestrelApp _app = null!;

    public async ValueTask InitializeAsync() =>
        _app = await KestrelApp.StartAsync(endpoints =>
            endpoints.MapMethods("/live", [HttpMethods.Get, HttpMethods.Head], () => LiveCacheResults.Stream(_live, "video/mp2t")));

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        _live.Dispose();
    }

    [Fact]
    public async Task ViewerGetsTheBytesTheWriterPublishesUntilTheStreamCompletes()
    {
        using HttpResponseMessage response = await _app.Client.GetAsync("/live", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("video/mp2t", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(1, _live.ReaderCount);

        byte[] published = new byte[300_000];
        new Random(3).NextBytes(published);
        for (int offset = 0; offset < published.Length; offset += 10_000)
        {
            _live.Write(published.AsSpan(offset, 10_000));
            await Task.Yield();
        }

        _live.Complete();
        byte[] body = await response.Content.ReadAsByteArrayAsync();

        Assert.True(published.AsSpan().SequenceEqual(body), $"the viewer got {body.Length} bytes, not the {published.Length} published");
        await WaitUntilAsync(() => _live.ReaderCount == 0, "the reader is disposed");
        _app.Logs.AssertNoFaults();
    }

    [Fact]
    public async Task StreamThatFailsAbortsTheResponse()
    {
        using HttpResponseMessage response = await _app.Client.GetAsync("/live", HttpCompletionOption.ResponseHeadersRead);
        _live.Write(new byte[5000]);
        _live.Complete(new InvalidOperationException("encoder crashed"));

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => response.Content.ReadAsByteArrayAsync());
        await _app.WaitForLogAsync(entry => entry.Level == LogLevel.Warning && entry.Message.Contains("encoder crashed", StringComparison.Ordinal), "about the failed stream");
    }

    [Fact]
    public async Task ViewerThatLeavesEndsItsReaderQuietly()
    {
        using (HttpResponseMessage response = await _app.Client.GetAsync("/live", HttpCompletionOption.ResponseHeadersRead))
        {
            _live.Write(new byte[5000]);
            Stream body = await response.Content.ReadAsStreamAsync();
            Assert.True(await body.ReadAsync(new byte[100]) > 0);
        }

        await WaitUntilAsync(() => _live.ReaderCount == 0, "the reader of the viewer that left is disposed");
        Assert.DoesNotContain(_app.Logs.Entries, entry => entry.Level >= LogLevel.Warning);
    }

    [Fact]
    public async Task HeadHasTheHeadAndCreatesNoReader()
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, "/live");
        using HttpResponseMessage response = await _app.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("video/mp2t", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.CacheControl?.NoStore);
        Assert.Equal(0, _live.ReaderCount);
    }

    [Fact]
    public async Task CurlReceivesTheLiveBytes()
    {
        using RunningTool curl = ExternalTool.Start("curl", ["-sS", "-N", "-o", "/dev/stdout", "-w", "\n%{http_code}", _app.Url("/live")]);
        await WaitUntilAsync(() => _live.ReaderCount == 1, "curl is watching");
        _live.Write("hello, live viewer"u8);
        _live.Complete();

        ToolResult result = await curl.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("hello, live viewer\n200", result.StandardOutput);
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!condition())
        {
            Assert.False(timeout.IsCancellationRequested, $"timed out waiting until {what}");
            await Task.Delay(20);
        }
    }
}
