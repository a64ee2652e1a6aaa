namespace ZeroCopy;

/// <summary>
/// The loop's counters, process-wide: what <see cref="SocketLoop.GetCounters"/> reports. Incremented with interlocked
/// operations by the loops and the senders; read without a lock (a snapshot, not a transaction).
/// </summary>
internal static class SocketLoopStatistics
{
    private static long s_waits;
    private static long s_wakeUps;
    private static long s_turns;
    private static long s_longTurns;
    private static long s_faults;
    private static long s_sendCalls;
    private static long s_sendFileCalls;
    private static long s_receiveCalls;

    public static void CountWait() => Interlocked.Increment(ref s_waits);

    public static void CountWakeUp() => Interlocked.Increment(ref s_wakeUps);

    public static void CountSendCall() => Interlocked.Increment(ref s_sendCalls);

    public static void CountSendFileCall() => Interlocked.Increment(ref s_sendFileCalls);

    public static void CountReceiveCall() => Interlocked.Increment(ref s_receiveCalls);

    public static void CountTurn(TimeSpan elapsed)
    {
        Interlocked.Increment(ref s_turns);
        if (elapsed > SocketLoop.LongTurnThreshold)
        {
            Interlocked.Increment(ref s_longTurns);
        }
    }

    public static void CountFault(Exception e)
    {
        _ = e; // counted, not thrown: the loop goes on (a Debug.Fail here would end a debug build's process)
        Interlocked.Increment(ref s_faults);
    }

    public static SocketLoopCounters Snapshot() => new(
        Volatile.Read(ref s_waits),
        Volatile.Read(ref s_wakeUps),
        Volatile.Read(ref s_turns),
        Volatile.Read(ref s_longTurns),
        Volatile.Read(ref s_faults),
        Volatile.Read(ref s_sendCalls),
        Volatile.Read(ref s_sendFileCalls),
        Volatile.Read(ref s_receiveCalls));
}
