using MediaServer.Hosting;
using ZeroCopy;

namespace MediaServer.Tests.Hosting;

/// <summary>
/// The thread pool's spin is turned off on the socket loop, and only where nothing else set it. The pool of this test
/// process started long ago, so setting the value here changes nothing but the value read back.
/// </summary>
public sealed class ThreadPoolSpinTests
{
    private static bool SetByEnvironment =>
        Environment.GetEnvironmentVariable("DOTNET_ThreadPool_UnfairSemaphoreSpinLimit") is not null
        || Environment.GetEnvironmentVariable("COMPlus_ThreadPool_UnfairSemaphoreSpinLimit") is not null;

    [Fact]
    public void OnTheLoopTheSpinIsTurnedOffWhenNothingSetIt()
    {
        object? before = AppContext.GetData(ThreadPoolSpin.SpinLimitSetting);
        try
        {
            AppContext.SetData(ThreadPoolSpin.SpinLimitSetting, null);
            bool expected = SocketLoop.IsEnabled && !SetByEnvironment;

            Assert.Equal(expected, ThreadPoolSpin.TurnOffOnTheLoop());
            Assert.Equal(expected ? 0 : null, AppContext.GetData(ThreadPoolSpin.SpinLimitSetting));
        }
        finally
        {
            AppContext.SetData(ThreadPoolSpin.SpinLimitSetting, before);
        }
    }

    [Fact]
    public void AValueTheRuntimeConfigurationSetIsKept()
    {
        object? before = AppContext.GetData(ThreadPoolSpin.SpinLimitSetting);
        try
        {
            AppContext.SetData(ThreadPoolSpin.SpinLimitSetting, 35);

            Assert.False(ThreadPoolSpin.TurnOffOnTheLoop());
            Assert.Equal(35, AppContext.GetData(ThreadPoolSpin.SpinLimitSetting));
        }
        finally
        {
            AppContext.SetData(ThreadPoolSpin.SpinLimitSetting, before);
        }
    }
}
