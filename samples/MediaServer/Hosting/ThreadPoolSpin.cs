using ZeroCopy;

namespace MediaServer.Hosting;

/// <summary>
/// The thread pool's spin before a worker sleeps, turned off when the library's socket loop serves the connections.
/// </summary>
/// <remarks>
/// On the loop the thread pool has next to nothing to do: the runtime's timer queue firing now and then (the connections'
/// timeouts are runtime timers), a cancellation. Each time, two workers wake (the one that takes the item asks for
/// another), find nothing more and spin about 260 <c>sched_yield</c> each before they sleep again: about 530 context
/// switches per firing when the server has one core (every yield hands it to the loop), one firing every few seconds,
/// up to a third of the process's switches per GB. Without the spin a firing costs the two wake-ups. Through the
/// framework's sockets (<c>ZEROCOPY_SOCKET_LOOP=0</c>) every completion runs on the pool and the spin pays for itself,
/// so it stays on there; a value set by <c>DOTNET_ThreadPool_UnfairSemaphoreSpinLimit</c> or the runtime configuration
/// is kept. docs/benchmarks.md section 12 has the per-thread counts.
/// </remarks>
internal static class ThreadPoolSpin
{
    /// <summary>The runtime's setting: how long an idle worker spins before it sleeps (0: not at all).</summary>
    internal const string SpinLimitSetting = "System.Threading.ThreadPool.UnfairSemaphoreSpinLimit";

    /// <summary>
    /// Turns the spin off when the socket loop is on and nothing set it. The pool reads the setting once, when it starts
    /// its first worker: call this first thing in the program.
    /// </summary>
    /// <returns>Whether the spin was turned off here.</returns>
    public static bool TurnOffOnTheLoop()
    {
        if (!SocketLoop.IsEnabled
            || AppContext.GetData(SpinLimitSetting) is not null
            || Environment.GetEnvironmentVariable("DOTNET_ThreadPool_UnfairSemaphoreSpinLimit") is not null
            || Environment.GetEnvironmentVariable("COMPlus_ThreadPool_UnfairSemaphoreSpinLimit") is not null)
        {
            return false;
        }

        AppContext.SetData(SpinLimitSetting, 0);
        return true;
    }
}
