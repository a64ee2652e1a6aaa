namespace ZeroCopy;

/// <summary>What <see cref="MpegTsKeyframeScanner"/> has found so far in an access unit's first NAL units.</summary>
public enum MpegTsKeyframeScanResult
{
    /// <summary>No picture NAL unit yet: give the scanner the PES's next bytes.</summary>
    NeedMoreData = 0,

    /// <summary>The first picture is a keyframe: an H.264 IDR or an HEVC IRAP picture. The scan is over.</summary>
    Keyframe = 1,

    /// <summary>
    /// No keyframe: the first picture is another slice, no picture came within
    /// <see cref="MpegTsKeyframeScanner.MaxScanLength"/> bytes, or the stream type has no NAL units the scanner reads.
    /// The scan is over.
    /// </summary>
    NotKeyframe = 2,
}
