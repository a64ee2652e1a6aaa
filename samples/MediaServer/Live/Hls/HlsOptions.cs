namespace MediaServer.Live.Hls;

/// <summary>How channels are cut into HLS segments and parts.</summary>
internal sealed record HlsOptions
{
    /// <summary>A segment ends at the first keyframe at least this long after its start (a GOP of 1 s gives 2 s segments).</summary>
    public TimeSpan SegmentTarget { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>A part is cut once this much wall-clock time has passed since the previous cut and new bytes arrived.</summary>
    public TimeSpan PartInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The advertised <c>PART-TARGET</c>: no part lasts longer.</summary>
    public TimeSpan PartTarget { get; init; } = TimeSpan.FromMilliseconds(334);

    /// <summary>How long a blocking playlist reload or a preload-hinted part request may wait (the spec: 3 target durations).</summary>
    public TimeSpan MaxBlock => 3 * SegmentTarget + TimeSpan.FromSeconds(1);
}
