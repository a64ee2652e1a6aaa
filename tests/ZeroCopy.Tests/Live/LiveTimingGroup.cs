namespace ZeroCopy.Tests.Live;

/// <summary>
/// Tests that measure rates or need much memory run alone, after the parallel ones, so that other tests do not skew
/// the writer's rate (and the loose ratio they assert stays meaningful).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LiveTimingGroup
{
    public const string Name = "Live timing";
}
