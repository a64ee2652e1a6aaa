namespace ZeroCopy;

/// <summary>Work that another thread hands to an <see cref="EpollLoop"/> to run on the loop's own thread (<see cref="EpollLoop.Post"/>).</summary>
internal interface ILoopWorkItem
{
    /// <summary>Runs on the loop's thread, as one turn: must not block.</summary>
    public void RunOnLoop();
}
