using System.Collections.Concurrent;
using Microsoft.Playwright;

namespace MediaServer.Tests.Infrastructure;

/// <summary>A tab of the system's headless Chromium, driven by Playwright over the DevTools protocol (<see cref="Browser"/>).</summary>
public sealed class ChromiumPage : BrowserPage
{
    private readonly ConcurrentQueue<string> _console = new();
    private Browser? _browser;
    private IPage? _page;

    public override string Engine => $"Chromium {_browser?.Instance.Version} (Playwright, DevTools protocol)";

    public override string ConsoleLog => string.Join(" | ", _console);

    public override async ValueTask InitializeAsync()
    {
        _browser = await Browser.LaunchAsync();
        _page = await _browser.Instance.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 760 } });
        _page.Console += (_, message) => _console.Enqueue(message.Text);
        _page.Response += (_, response) =>
        {
            if (response.Status >= 400)
            {
                _console.Enqueue($"{response.Status} {response.Url}"); // Which resource: the console's own message does not say.
            }
        };
    }

    public override async ValueTask DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }
    }

    protected override Task NavigateAsync(Uri address) => Page.GotoAsync(address.ToString(), new PageGotoOptions { Timeout = 30_000 });

    protected override Task ClickElementAsync(string selector) => Page.ClickAsync(selector, new PageClickOptions { Timeout = 15_000 });

    protected override Task<string?> EvaluateStringAsync(string expression) => Page.EvaluateAsync<string?>($"() => ({expression})");

    private IPage Page => _page ?? throw new InvalidOperationException("the browser has not started");
}
