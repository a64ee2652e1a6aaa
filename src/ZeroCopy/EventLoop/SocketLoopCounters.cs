namespace ZeroCopy;

/// <summary>
/// What the library's socket loop has done since the process started (<see cref="SocketLoop.GetCounters"/>): subtract two
/// snapshots to count the work of a period, for example system calls and hand-offs per request.
/// </summary>
/// <param name="Waits">Readiness waits armed on a loop: each is one <c>epoll_ctl(2)</c>.</param>
/// <param name="WakeUps">Returns from <c>epoll_wait(2)</c>, the loops' only sleeps: at most one context switch each.</param>
/// <param name="Turns">Waiting operations the loops continued inline on their threads (no thread-pool hand-off).</param>
/// <param name="LongTurns">Turns that held a loop longer than <see cref="SocketLoop.LongTurnThreshold"/>: code that blocked on the loop.</param>
/// <param name="Faults">Continuations that threw on a loop (the loop went on).</param>
/// <param name="SendCalls">Non-blocking <c>send(2)</c>/<c>sendmsg(2)</c> calls, each with the response head and body pieces it carried.</param>
/// <param name="SendFileCalls">Non-blocking <c>sendfile(2)</c> calls.</param>
/// <param name="ReceiveCalls">Non-blocking <c>recv(2)</c> calls.</param>
public readonly record struct SocketLoopCounters(
    long Waits,
    long WakeUps,
    long Turns,
    long LongTurns,
    long Faults,
    long SendCalls,
    long SendFileCalls,
    long ReceiveCalls)
{
    /// <summary>The difference <paramref name="later"/> − <paramref name="earlier"/>, field by field: the work between two snapshots.</summary>
    /// <param name="later">The later snapshot.</param>
    /// <param name="earlier">The earlier snapshot.</param>
    /// <returns>The counts of the period between them.</returns>
    public static SocketLoopCounters operator -(SocketLoopCounters later, SocketLoopCounters earlier) => new(
        later.Waits - earlier.Waits,
        later.WakeUps - earlier.WakeUps,
        later.Turns - earlier.Turns,
        later.LongTurns - earlier.LongTurns,
        later.Faults - earlier.Faults,
        later.SendCalls - earlier.SendCalls,
        later.SendFileCalls - earlier.SendFileCalls,
        later.ReceiveCalls - earlier.ReceiveCalls);

    /// <summary>The subtraction operator's named alternative.</summary>
    /// <param name="earlier">The earlier snapshot.</param>
    /// <returns>The counts of the period between <paramref name="earlier"/> and this one.</returns>
    public SocketLoopCounters Subtract(SocketLoopCounters earlier) => this - earlier;
}
