using System.Diagnostics;
using System.Text;

namespace MediaServer.Tests.Infrastructure;

/// <summary>
/// Real clients (ffmpeg, ffprobe, the browsers) found on PATH and run with a hard timeout. A missing tool fails the test
/// with the command that installs it: these tests must run in CI, never be skipped.
/// </summary>
public static class ExternalTool
{
    /// <summary>The full path of <paramref name="name"/> on PATH, or a failure that says how to install it.</summary>
    public static string Find(string name)
    {
        if (Path.IsPathRooted(name) && File.Exists(name))
        {
            return name;
        }

        foreach (string directory in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        string package = name switch
        {
            "ffprobe" or "ffplay" => "ffmpeg",
            "WebKitWebDriver" => "webkit2gtk-driver",
            "Xvfb" => "xvfb",
            _ => name,
        };
        Assert.Fail($"'{name}' is not on PATH. These integration tests drive real clients: install it with `sudo apt-get install -y {package}` (./build.sh test does that), then run again.");
        return null!;
    }

    /// <summary>Runs <paramref name="tool"/> to completion (killing it after <paramref name="timeout"/>) and captures its output.</summary>
    public static async Task<ToolResult> RunAsync(string tool, IEnumerable<string> arguments, TimeSpan timeout, byte[]? standardInput = null)
    {
        using RunningTool running = Start(tool, arguments, redirectInput: standardInput is not null);
        if (standardInput is not null)
        {
            try
            {
                await running.Process.StandardInput.BaseStream.WriteAsync(standardInput);
                running.Process.StandardInput.Close();
            }
            catch (IOException)
            {
                // The tool stopped reading early (for example it found what it needed): its exit code tells.
            }
        }

        return await running.WaitAsync(timeout);
    }

    /// <summary>
    /// Starts <paramref name="tool"/> in the background, with <paramref name="environment"/> added to this process's;
    /// dispose to kill it (and its children) if still running.
    /// </summary>
    public static RunningTool Start(string tool, IEnumerable<string> arguments, bool redirectInput = false, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(Find(tool))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectInput,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach ((string name, string value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        return new RunningTool(Process.Start(info) ?? throw new InvalidOperationException($"cannot start {tool}"), tool + " " + string.Join(' ', info.ArgumentList));
    }
}

/// <summary>A started tool whose output is collected as it runs.</summary>
public sealed class RunningTool : IDisposable
{
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly Task _readers;

    internal RunningTool(Process process, string commandLine)
    {
        Process = process;
        CommandLine = commandLine;
        _readers = Task.WhenAll(Pump(process.StandardOutput, _stdout), Pump(process.StandardError, _stderr));
    }

    public Process Process { get; }

    public string CommandLine { get; }

    public string StandardOutput
    {
        get
        {
            lock (_stdout)
            {
                return _stdout.ToString();
            }
        }
    }

    public string StandardError
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>Waits for the tool to exit; kills it and fails the test (with its stderr) after <paramref name="timeout"/>.</summary>
    public async Task<ToolResult> WaitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await Process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            Assert.Fail($"{CommandLine} did not finish within {timeout.TotalSeconds} s; stderr:\n{StandardError}");
        }

        await _readers.WaitAsync(TimeSpan.FromSeconds(10));
        lock (_stdout)
        {
            return new ToolResult(CommandLine, Process.ExitCode, _stdout.ToString(), StandardError);
        }
    }

    public void Kill()
    {
        try
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    public void Dispose()
    {
        Kill();
        Process.Dispose();
    }

    private static async Task Pump(StreamReader reader, StringBuilder sink)
    {
        char[] buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer)) > 0)
        {
            lock (sink)
            {
                sink.Append(buffer, 0, read);
            }
        }
    }
}

/// <summary>How a tool ended: exit code and everything it printed.</summary>
public sealed record ToolResult(string CommandLine, int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>Lines of stderr that report an error (case-insensitive "error", or the decoder's "non-existing PPS").</summary>
    public IReadOnlyList<string> ErrorLines => StandardError.Split('\n')
        .Where(line => line.Contains("error", StringComparison.OrdinalIgnoreCase) || line.Contains("non-existing PPS", StringComparison.Ordinal))
        .ToList();

    /// <summary>Asserts a clean run: exit code 0 and no error lines, with the whole stderr in the message otherwise.</summary>
    public void AssertClean()
    {
        Assert.True(ExitCode == 0 && ErrorLines.Count == 0, $"{CommandLine}\nexit code {ExitCode}, error lines:\n{string.Join("\n", ErrorLines)}\nstderr:\n{StandardError}");
    }
}
