namespace MediaServer.Tests.Server;

/// <summary>
/// Tests that count the whole process's allocations, alone after the rest of the suite: any other test running beside
/// them would allocate into their count.
/// </summary>
[CollectionDefinition(nameof(AllocationGroup), DisableParallelization = true)]
public sealed class AllocationGroup;
