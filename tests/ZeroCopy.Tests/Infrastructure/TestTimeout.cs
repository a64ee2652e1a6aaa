namespace ZeroCopy.Tests.Infrastructure;

/// <summary>The one bound on every socket operation and wait in the suite, so that no test can hang.</summary>
internal static class TestTimeout
{
    /// <summary>Long enough for any loopback transfer in the suite on a slow CI machine; short enough to fail fast.</summary>
    public static readonly TimeSpan Duration = TimeSpan.FromSeconds(10);

    /// <summary>A token source that cancels after <see cref="Duration"/>; the caller disposes it.</summary>
    public static CancellationTokenSource CreateSource() => new(Duration);
}
