using System.Diagnostics;
using System.Text.Json;

namespace MediaServer.Tests.Infrastructure;

/// <summary>
/// One tab of a real browser engine, driven the same way whichever library speaks to it: open a page, click, evaluate
/// JavaScript, wait for a JavaScript predicate. Used as a class fixture: the browser starts once for a test class and
/// its whole process tree is stopped when the class ends. Every call is bounded in time.
/// </summary>
/// <remarks>
/// Values cross as JSON (the page's <c>JSON.stringify</c> of the expression), so the three libraries, each with its
/// own idea of a JavaScript number, answer alike. An expression must be synchronous: a promise is not awaited.
/// </remarks>
public abstract class BrowserPage : IAsyncLifetime
{
    /// <summary>The longest one command to the browser may take before the test fails.</summary>
    protected static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan s_poll = TimeSpan.FromMilliseconds(100);

    /// <summary>The engine, its version and the library and protocol that drive it, as test output names it.</summary>
    public abstract string Engine { get; }

    /// <summary>What the page wrote to its console so far, where the driver sees it; for failure messages.</summary>
    public abstract string ConsoleLog { get; }

    /// <summary>Starts the browser (and what it needs: a driver, a display) and opens its one tab.</summary>
    public abstract ValueTask InitializeAsync();

    /// <summary>Closes the browser and kills every process it started.</summary>
    public abstract ValueTask DisposeAsync();

    /// <summary>Loads <paramref name="address"/> in the tab, replacing the page there, and waits for its load event.</summary>
    public Task OpenAsync(Uri address) => NavigateAsync(address).WaitAsync(CommandTimeout);

    /// <summary>Waits for an element that <paramref name="selector"/> matches, then clicks it as a user does.</summary>
    public async Task ClickAsync(string selector, TimeSpan timeout)
    {
        await WaitForAsync($"document.querySelector({JsonSerializer.Serialize(selector)}) !== null", timeout);
        await ClickElementAsync(selector).WaitAsync(CommandTimeout);
    }

    /// <summary>The value of the JavaScript <paramref name="expression"/>, through JSON.</summary>
    public async Task<T> EvaluateAsync<T>(string expression)
    {
        string? json = await EvaluateStringAsync($"JSON.stringify({expression})").WaitAsync(CommandTimeout);
        return JsonSerializer.Deserialize<T>(json ?? "null")!;
    }

    /// <summary>Runs the JavaScript <paramref name="statements"/> in the page.</summary>
    public Task RunAsync(string statements) => EvaluateStringAsync($"(() => {{ {statements}; return null; }})()").WaitAsync(CommandTimeout);

    /// <summary>
    /// Polls the JavaScript <paramref name="predicate"/> every 100 ms until it is true; past <paramref name="timeout"/>
    /// throws a <see cref="TimeoutException"/> that names the engine and the predicate.
    /// </summary>
    public async Task WaitForAsync(string predicate, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!await EvaluateAsync<bool>($"!!({predicate})"))
        {
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"{Engine}: `{predicate}` still false after {timeout.TotalSeconds} s");
            }

            await Task.Delay(s_poll);
        }
    }

    /// <inheritdoc cref="OpenAsync"/>
    protected abstract Task NavigateAsync(Uri address);

    /// <summary>Clicks the element <paramref name="selector"/> matches, which exists.</summary>
    protected abstract Task ClickElementAsync(string selector);

    /// <summary>Evaluates <paramref name="expression"/>, whose value is a string or null, in the page.</summary>
    protected abstract Task<string?> EvaluateStringAsync(string expression);

    /// <summary>Kills <paramref name="process"/> and its children if still running; safe on one that exited.</summary>
    protected static void KillTree(Process? process)
    {
        try
        {
            if (process is { HasExited: false })
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }
}
