using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace MediaServer.Tests.Infrastructure;

/// <summary>A logger provider that keeps every entry, so tests can assert what the server logged (and that it never faulted).</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<Entry> _entries = new();

    public IReadOnlyCollection<Entry> Entries => _entries;

    /// <summary>Entries at Error or above: unexpected exceptions in a connection, the ingest or a viewer.</summary>
    public IEnumerable<Entry> Faults => _entries.Where(entry => entry.Level >= LogLevel.Error);

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    /// <summary>Fails with every fault logged so far, if there is any.</summary>
    public void AssertNoFaults()
    {
        Entry[] faults = [.. Faults];
        Assert.True(faults.Length == 0, "the server logged faults:\n" + string.Join("\n", faults.Select(f => f.ToString())));
    }

    /// <summary>
    /// Waits, up to 10 s, for an entry that matches: a request's line is logged after its response has left, so a client
    /// that has read the response may be ahead of it.
    /// </summary>
    public async Task AssertLoggedAsync(Func<Entry, bool> match, string what)
    {
        long deadline = Environment.TickCount64 + 10_000;
        while (!_entries.Any(match))
        {
            Assert.True(Environment.TickCount64 < deadline, $"nothing logged {what} in 10 s; the log:\n{string.Join("\n", _entries.TakeLast(30))}");
            await Task.Delay(20);
        }
    }

    public sealed record Entry(LogLevel Level, string Category, EventId EventId, string Message, Exception? Exception)
    {
        public override string ToString() => $"{Level} {Category}[{EventId.Id}] {Message} {Exception}";
    }

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner._entries.Enqueue(new Entry(logLevel, category, eventId, formatter(state, exception), exception));
    }
}
