using System.Diagnostics;

namespace MediaServer.Live.Hls;

// The history of a running channel: the segment already open when the segmenter starts gets its parts from the
// stream's own time stamps (HlsHistoryTimer), since its bytes arrived before the wall clock could time them.
internal sealed partial class HlsSegmenter
{
    /// <summary>
    /// Gives the segment open when the segmenter started parts for its history, <c>[start, end)</c>, cut where the
    /// stream's own clock passes each <see cref="HlsOptions.PartInterval"/> (<see cref="HlsHistoryTimer"/>); the bytes
    /// after the last cut become the open part, cut live. Without time stamps the segment stays whole.
    /// </summary>
    private void CutHistoryParts(HlsSegment open, long end)
    {
        var cuts = new List<HlsHistoryTimer.Cut>();
        if (!HlsHistoryTimer.TryFindCuts(_cache, open.Start, open.Preamble, end, _options.PartInterval, cuts, out TimeSpan last))
        {
            return;
        }

        open.HasParts = true;
        TimeSpan previous = TimeSpan.Zero;
        foreach (HlsHistoryTimer.Cut cut in cuts)
        {
            CutPart(open, cut.Position, (cut.Time - previous).TotalSeconds);
            previous = cut.Time;
        }

        // The open part has run since its first byte's media time, as near as the last time stamp tells.
        _partStartedAt = Stopwatch.GetTimestamp() - (long)((last - previous).TotalSeconds * Stopwatch.Frequency);
    }
}
