namespace ZeroCopy.Tests.EventLoop;

/// <summary>
/// The tests that read the socket loop's process-wide counters, or the process's descriptors, run alone, after the
/// parallel ones, so that no other test's sends land in their counts.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SocketLoopGroup
{
    public const string Name = "Socket loop counters";
}
