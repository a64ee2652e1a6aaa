namespace ZeroCopy.Tests.Infrastructure;

/// <summary>Bounds every await of a live-cache test, so that a bug shows up as a failure with a stack, not a hung run.</summary>
internal static class LiveTimeouts
{
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(15);

    public static Task<T> Within<T>(this ValueTask<T> operation) => operation.AsTask().WaitAsync(Default);

    public static Task Within(this ValueTask operation) => operation.AsTask().WaitAsync(Default);

    public static Task<T> Within<T>(this Task<T> operation) => operation.WaitAsync(Default);

    public static Task Within(this Task operation) => operation.WaitAsync(Default);
}
