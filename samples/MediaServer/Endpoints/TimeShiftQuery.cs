using System.Globalization;
using MediaServer.Media;
using ZeroCopy;

namespace MediaServer.Endpoints;

/// <summary>
/// The time-shift of a live request, <c>?t=</c>: <c>-30</c> joins 30 seconds behind the live edge, <c>HH:MM:SS:FF</c>
/// at that presentation time of the stream (FF frames at <c>fps</c>, 25 unless the query says otherwise). Both resolve
/// through the ring's sync point index to the keyframe at or before the time.
/// </summary>
internal readonly record struct TimeShiftQuery(TimeSpan? BeforeHead, TimeSpan? PresentationTime)
{
    /// <summary>The frame rate FF counts in when the query gives no <c>fps</c>.</summary>
    public const int DefaultFramesPerSecond = 25;

    /// <summary>Reads <c>t</c> (and <c>fps</c>) from a parsed query; no <c>t</c> is no shift. <see langword="false"/> on a malformed value.</summary>
    public static bool TryParse(IReadOnlyDictionary<string, string> query, out TimeShiftQuery? shift)
    {
        shift = null;
        if (!query.TryGetValue("t", out string? t))
        {
            return true;
        }

        if (t.StartsWith('-') && double.TryParse(t.AsSpan(1), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double seconds) && seconds <= TimeSpan.MaxValue.TotalSeconds / 2)
        {
            shift = new TimeShiftQuery(TimeSpan.FromSeconds(seconds), null);
            return true;
        }

        int fps = DefaultFramesPerSecond;
        if (query.TryGetValue("fps", out string? fpsText) && (!int.TryParse(fpsText, NumberStyles.None, CultureInfo.InvariantCulture, out fps) || fps is < 1 or > 1000))
        {
            return false;
        }

        if (!Timecode.TryParse(t, out Timecode timecode) || timecode.Frames >= fps)
        {
            return false;
        }

        shift = new TimeShiftQuery(null, TimeSpan.FromSeconds(timecode.TotalSeconds) + TimeSpan.FromSeconds((double)timecode.Frames / fps));
        return true;
    }

    /// <summary>The keyframe sync point this shift joins at, if the ring still holds one.</summary>
    public bool TryResolve(LiveCache cache, out SyncPoint syncPoint) =>
        BeforeHead is TimeSpan back ? cache.TryGetSyncPointBeforeHead(back, out syncPoint)
        : cache.TryGetSyncPointAtOrBefore(PresentationTime!.Value, out syncPoint);

    public override string ToString() =>
        BeforeHead is TimeSpan back ? string.Create(CultureInfo.InvariantCulture, $"{back.TotalSeconds:0.###} s before the live edge")
        : string.Create(CultureInfo.InvariantCulture, $"presentation time {PresentationTime!.Value.TotalSeconds:0.###} s");
}
