namespace MediaServer.Tests.Infrastructure;

/// <summary>A clock that stands still until the test moves it, for expiries.</summary>
public sealed class ManualClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}
