using System.Threading.Tasks.Sources;

namespace ZeroCopy;

/// <summary>Ends a reusable wait with its outcome: the one place the library's waits choose between a result and a failure.</summary>
internal static class ValueTaskSourceOutcome
{
    /// <summary>Completes <paramref name="core"/> with <paramref name="result"/>, or with <paramref name="error"/> when there is one.</summary>
    public static void SetOutcome<T>(this ref ManualResetValueTaskSourceCore<T> core, T result, Exception? error)
    {
        if (error is null)
        {
            core.SetResult(result);
        }
        else
        {
            core.SetException(error);
        }
    }
}
