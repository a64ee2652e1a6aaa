using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.RegularExpressions;
using WebDriverBiDi;
using WebDriverBiDi.BrowsingContext;
using WebDriverBiDi.Input;
using WebDriverBiDi.Script;
using WebDriverBiDi.Session;

namespace MediaServer.Tests.Infrastructure;

/// <summary>
/// A tab of the system's Firefox ESR (Debian's <c>firefox-esr</c>), headless, driven over WebDriver BiDi, which Firefox
/// speaks itself: started here with <c>--remote-debugging-port 0</c> on a fresh profile, it says on stderr which port
/// of 127.0.0.1 it took, and the WebDriverBiDi client connects there. No driver binary, nothing downloaded.
/// </summary>
/// <remarks>
/// PuppeteerSharp would launch it too, but its 25.17.1 is built against a WebDriverBiDi older than any the feed
/// serves, and fails at connection (a missing method); the client library alone is the smaller dependency anyway.
/// </remarks>
public sealed partial class FirefoxPage : BrowserPage
{
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(60);

    /// <summary>What the profile sets: media may start without a gesture (as Chromium's flag), and no first-run work.</summary>
    private static readonly string[] s_preferences =
    [
        "user_pref(\"media.autoplay.default\", 0);",
        "user_pref(\"browser.shell.checkDefaultBrowser\", false);",
        "user_pref(\"browser.aboutwelcome.enabled\", false);",
        "user_pref(\"datareporting.policy.dataSubmissionEnabled\", false);",
        "user_pref(\"toolkit.telemetry.reportingpolicy.firstRun\", false);",
        "user_pref(\"app.update.disabledForTesting\", true);",
        "user_pref(\"network.captive-portal-service.enabled\", false);",
        "user_pref(\"network.connectivity-service.enabled\", false);",
    ];

    private readonly ConcurrentQueue<string> _console = new();
    private DirectoryInfo? _profile;
    private RunningTool? _firefox;
    private BiDiDriver? _driver;
    private string _context = "";
    private string _version = "";

    public override string Engine => $"Firefox {_version} (WebDriverBiDi client, WebDriver BiDi protocol)";

    public override string ConsoleLog => string.Join(" | ", _console);

    public override async ValueTask InitializeAsync()
    {
        _profile = Directory.CreateTempSubdirectory("firefox-profile-");
        await File.WriteAllLinesAsync(Path.Combine(_profile.FullName, "user.js"), s_preferences);
        _firefox = ExternalTool.Start(
            "firefox-esr",
            ["--headless", "--no-remote", "--profile", _profile.FullName, "--remote-debugging-port", "0", "about:blank"]);
        string endpoint = await WaitForEndpointAsync(_firefox);

        _driver = new BiDiDriver(CommandTimeout);
        await _driver.StartAsync(endpoint + "/session");
        NewCommandResult session = await _driver.Session.NewSessionAsync(new NewCommandParameters());
        _version = session.Capabilities.BrowserVersion;
        _driver.Log.OnEntryAdded.AddObserver(entry => _console.Enqueue(entry.Text ?? ""));
        await _driver.Session.SubscribeAsync(new SubscribeCommandParameters(_driver.Log.OnEntryAdded.EventName));
        GetTreeCommandResult tree = await _driver.BrowsingContext.GetTreeAsync(new GetTreeCommandParameters());
        _context = tree.ContextTree[0].BrowsingContextId;
    }

    public override async ValueTask DisposeAsync()
    {
        try
        {
            if (_driver is { IsStarted: true })
            {
                await _driver.Browser.CloseAsync(new WebDriverBiDi.Browser.CloseCommandParameters()).WaitAsync(TimeSpan.FromSeconds(10));
                await _driver.StopAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (Exception e) when (e is TimeoutException or WebDriverBiDiException)
        {
            // Killed below.
        }
        finally
        {
            if (_driver is not null)
            {
                await _driver.DisposeAsync();
            }

            if (_firefox is not null)
            {
                _firefox.Kill(); // Firefox and its content processes, if closing left any
                await _firefox.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(15));
                _firefox.Dispose();
            }

            DeleteProfile();
        }
    }

    protected override Task NavigateAsync(Uri address) =>
        Driver.BrowsingContext.NavigateAsync(new NavigateCommandParameters(_context, address.ToString()) { Wait = ReadinessState.Complete });

    protected override async Task ClickElementAsync(string selector)
    {
        RemoteValue element = await EvaluateRemoteAsync($"document.querySelector({JsonSerializer.Serialize(selector)})");
        var mouse = new PointerSourceActions { Parameters = new PointerParameters { PointerType = PointerType.Mouse } };
        mouse.Actions.Add(new PointerMoveAction { X = 0, Y = 0, Origin = Origin.Element(element.As<NodeRemoteValue>().ToSharedReference()) });
        mouse.Actions.Add(new PointerDownAction(0));
        mouse.Actions.Add(new PointerUpAction(0));
        var click = new PerformActionsCommandParameters(_context);
        click.Actions.Add(mouse);
        await Driver.Input.PerformActionsAsync(click);
    }

    protected override async Task<string?> EvaluateStringAsync(string expression)
    {
        RemoteValue value = await EvaluateRemoteAsync(expression);
        return value.TryAs(out StringRemoteValue? text) ? text!.Value : null;
    }

    private void DeleteProfile()
    {
        try
        {
            _profile?.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A content process still writing as it died: a temporary folder left behind, nothing more.
        }
    }

    private BiDiDriver Driver => _driver ?? throw new InvalidOperationException("the browser has not started");

    private async Task<RemoteValue> EvaluateRemoteAsync(string expression)
    {
        EvaluateResult result = await Driver.Script.EvaluateAsync(new EvaluateCommandParameters(expression, new ContextTarget(_context), awaitPromise: false));
        return result switch
        {
            EvaluateResultSuccess success => success.Result,
            EvaluateResultException thrown => throw new InvalidOperationException($"{Engine}: `{expression}` threw {thrown.ExceptionDetails.Text}"),
            _ => throw new InvalidOperationException($"{Engine}: `{expression}` gave {result.ResultType}"),
        };
    }

    /// <summary>Firefox writes <c>WebDriver BiDi listening on ws://127.0.0.1:PORT</c> to stderr once it listens.</summary>
    private static async Task<string> WaitForEndpointAsync(RunningTool firefox)
    {
        using var deadline = new CancellationTokenSource(s_startTimeout);
        while (true)
        {
            Match listening = Listening().Match(firefox.StandardError);
            if (listening.Success)
            {
                return listening.Groups[1].Value;
            }

            Assert.False(firefox.Process.HasExited, $"firefox-esr exited with {(firefox.Process.HasExited ? firefox.Process.ExitCode : 0)} before it listened: {firefox.StandardError}");
            Assert.False(deadline.IsCancellationRequested, $"firefox-esr did not listen for WebDriver BiDi within {s_startTimeout.TotalSeconds} s: {firefox.StandardError}");
            await Task.Delay(50);
        }
    }

    [GeneratedRegex(@"WebDriver BiDi listening on (ws://[^\s]+)")]
    private static partial Regex Listening();
}
