using Xunit.Sdk;

namespace ZeroCopy.Tests.Infrastructure;

/// <summary>
/// Asserts that code allocates nothing in steady state, counting the bytes allocated by the calling thread only
/// (<see cref="GC.GetAllocatedBytesForCurrentThread"/>), so that tests running in parallel do not disturb the count.
/// </summary>
internal static class AllocationAssert
{
    /// <summary>
    /// Runs <paramref name="round"/> once to warm up, then measures up to <paramref name="rounds"/> more rounds and
    /// passes as soon as one allocates 0 bytes. Code that allocates per call allocates in every round and fails; a
    /// one-time runtime event (a type load, a tier-up) can only spoil the round it lands in.
    /// </summary>
    /// <returns>The value the last measured round returned, for the caller to check that the work was done.</returns>
    public static long NothingInSteadyState(Func<long> round, string what, int rounds = 5)
    {
        long result = round();
        long[] allocated = new long[rounds];
        for (int i = 0; i < rounds; i++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            result = round();
            allocated[i] = GC.GetAllocatedBytesForCurrentThread() - before;
            if (allocated[i] == 0)
            {
                return result;
            }
        }

        throw new XunitException($"{what} allocated in every one of {rounds} rounds: [{string.Join(", ", allocated)}] bytes.");
    }

    /// <summary>
    /// Like <see cref="NothingInSteadyState"/>, but passes as soon as one round allocates at most
    /// <paramref name="maxBytes"/>: for code whose cost is known and bounded rather than zero.
    /// </summary>
    /// <returns>The value the last measured round returned.</returns>
    public static long AtMostInSteadyState(Func<long> round, long maxBytes, string what, int rounds = 5)
    {
        long result = round();
        long[] allocated = new long[rounds];
        for (int i = 0; i < rounds; i++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            result = round();
            allocated[i] = GC.GetAllocatedBytesForCurrentThread() - before;
            if (allocated[i] <= maxBytes)
            {
                return result;
            }
        }

        throw new XunitException($"{what} allocated more than {maxBytes} bytes in every one of {rounds} rounds: [{string.Join(", ", allocated)}] bytes.");
    }
}
