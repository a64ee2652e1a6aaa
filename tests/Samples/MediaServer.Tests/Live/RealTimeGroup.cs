namespace MediaServer.Tests.Live;

/// <summary>
/// Tests whose timing is the point, alone after the rest of the suite: SRT across a lossy link keeps a packet only if its
/// retransmission arrives within the latency, and the relay that makes the loss runs in the test's own process, where a
/// busy suite beside it would delay it; a fast viewer of a small ring keeps up only if its thread is not held up longer
/// than the ring lasts (SlowViewerTests: it failed once beside the full suite on this 2-core machine).
/// </summary>
[CollectionDefinition(nameof(RealTimeGroup), DisableParallelization = true)]
public sealed class RealTimeGroup;
