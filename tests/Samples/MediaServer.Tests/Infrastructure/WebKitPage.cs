using System.Globalization;
using System.Net;
using System.Net.Sockets;
using OpenQA.Selenium;
using OpenQA.Selenium.Remote;

namespace MediaServer.Tests.Infrastructure;

/// <summary>
/// A window of WebKitGTK's MiniBrowser (the engine Safari is built on; media through GStreamer), driven by Selenium's
/// <see cref="RemoteWebDriver"/> through Debian's <c>WebKitWebDriver</c> (package <c>webkit2gtk-driver</c>), a W3C
/// WebDriver server started here on a free port of 127.0.0.1. WebKitGTK has no headless mode, so the window opens on
/// an Xvfb display started here too, on a display number Xvfb picks itself (<c>-displayfd</c>). Selenium Manager never
/// runs: a remote driver needs none.
/// </summary>
public sealed class WebKitPage : BrowserPage
{
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(60);

    private RunningTool? _display;
    private RunningTool? _driver;
    private RemoteWebDriver? _session;
    private string _version = "";

    public override string Engine => $"WebKitGTK {_version} (Selenium, W3C WebDriver through WebKitWebDriver)";

    /// <summary>Classic WebDriver has no console: what the driver itself printed instead.</summary>
    public override string ConsoleLog => $"(WebKitWebDriver passes no console on; its stderr: {_driver?.StandardError.ReplaceLineEndings(" | ")})";

    public override async ValueTask InitializeAsync()
    {
        string miniBrowser = FindMiniBrowser();
        _display = ExternalTool.Start("Xvfb", ["-displayfd", "1", "-nolisten", "tcp", "-screen", "0", "1280x800x24"]);
        string display = ":" + await WaitForDisplayNumberAsync(_display);

        int port = FreeLoopbackPort();
        _driver = ExternalTool.Start(
            "WebKitWebDriver",
            [$"--port={port.ToString(CultureInfo.InvariantCulture)}", "--host=127.0.0.1"],
            environment: new Dictionary<string, string> { ["DISPLAY"] = display, ["WEBKIT_DISABLE_COMPOSITING_MODE"] = "1" }); // no GPU on Xvfb
        var endpoint = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/");
        await WaitForDriverAsync(_driver, endpoint);

        var options = new MiniBrowserOptions(miniBrowser, ["--automation", "--autoplay-policy=allow"]);
        _session = await Task.Run(() => new RemoteWebDriver(endpoint, options.ToCapabilities(), s_startTimeout)).WaitAsync(s_startTimeout);
        _version = _session.Capabilities.GetCapability("browserVersion")?.ToString() ?? "";
        _session.Manage().Window.Size = new System.Drawing.Size(1280, 760);
    }

    public override async ValueTask DisposeAsync()
    {
        try
        {
            if (_session is not null)
            {
                await Task.Run(_session.Quit).WaitAsync(TimeSpan.FromSeconds(15));
            }
        }
        catch (Exception e) when (e is TimeoutException or WebDriverException)
        {
            // Killed below.
        }
        finally
        {
            _session?.Dispose();
            _driver?.Dispose(); // the driver, MiniBrowser and its web, network and GPU processes
            _display?.Dispose();
        }
    }

    protected override Task NavigateAsync(Uri address) => Task.Run(() => Session.Navigate().GoToUrl(address));

    protected override Task ClickElementAsync(string selector) => Task.Run(() => Session.FindElement(By.CssSelector(selector)).Click());

    protected override Task<string?> EvaluateStringAsync(string expression) => Task.Run(() => (string?)Session.ExecuteScript($"return ({expression});"));

    private RemoteWebDriver Session => _session ?? throw new InvalidOperationException("the browser has not started");

    /// <summary>MiniBrowser sits in WebKitGTK's library folder (Debian's libwebkit2gtk-4.1-0), not on PATH.</summary>
    private static string FindMiniBrowser()
    {
        string? found = Directory.Exists("/usr/lib")
            ? Directory.EnumerateDirectories("/usr/lib")
                .SelectMany(directory => new[] { Path.Combine(directory, "webkit2gtk-4.1", "MiniBrowser"), Path.Combine(directory, "webkit2gtk-4.0", "MiniBrowser") })
                .FirstOrDefault(File.Exists)
            : null;
        Assert.True(found is not null, "WebKitGTK's MiniBrowser is not under /usr/lib/*/webkit2gtk-4.*/. Install it with `sudo apt-get install -y webkit2gtk-driver` (./build.sh test does that), then run again.");
        return found;
    }

    /// <summary>Xvfb writes the display number it took, then a newline, to the descriptor <c>-displayfd</c> names.</summary>
    private static async Task<string> WaitForDisplayNumberAsync(RunningTool xvfb)
    {
        using var deadline = new CancellationTokenSource(s_startTimeout);
        while (!xvfb.StandardOutput.Contains('\n', StringComparison.Ordinal))
        {
            Assert.False(xvfb.Process.HasExited, $"Xvfb exited with {(xvfb.Process.HasExited ? xvfb.Process.ExitCode : 0)} before it took a display: {xvfb.StandardError}");
            Assert.False(deadline.IsCancellationRequested, $"Xvfb took no display within {s_startTimeout.TotalSeconds} s: {xvfb.StandardError}");
            await Task.Delay(50);
        }

        return xvfb.StandardOutput.Trim();
    }

    private static async Task WaitForDriverAsync(RunningTool driver, Uri endpoint)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        using var deadline = new CancellationTokenSource(s_startTimeout);
        while (true)
        {
            Assert.False(driver.Process.HasExited, $"WebKitWebDriver exited with {(driver.Process.HasExited ? driver.Process.ExitCode : 0)}: {driver.StandardError}");
            try
            {
                using HttpResponseMessage status = await client.GetAsync(new Uri(endpoint, "status"), deadline.Token);
                if (status.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
                Assert.Fail($"WebKitWebDriver did not answer on {endpoint} within {s_startTimeout.TotalSeconds} s: {driver.StandardError}");
            }

            await Task.Delay(50);
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The capabilities WebKitWebDriver wants: which browser binary to start, and its arguments.</summary>
    private sealed class MiniBrowserOptions : DriverOptions
    {
        public MiniBrowserOptions(string binary, string[] arguments)
        {
            BrowserName = "MiniBrowser";
            AddAdditionalOption("webkitgtk:browserOptions", new Dictionary<string, object> { ["binary"] = binary, ["args"] = arguments });
        }

        public override ICapabilities ToCapabilities() => GenerateDesiredCapabilities(isSpecificationCompliant: true);
    }
}
