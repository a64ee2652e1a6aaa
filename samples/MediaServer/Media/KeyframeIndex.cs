using System.Diagnostics;
using System.Globalization;

namespace MediaServer.Media;

/// <summary>How a timecode maps onto a video.</summary>
internal enum KeyframeLookup
{
    /// <summary>The keyframe at or before the timecode was found.</summary>
    Found,

    /// <summary>The frame number is not below the frame rate (FF must be 0 to fps - 1).</summary>
    InvalidFrame,

    /// <summary>The timecode lies at or after the end of the video.</summary>
    BeyondEnd,
}

/// <summary>
/// The keyframes of a video's main video track: for each, its presentation time (in the track's timescale, the first
/// frame at 0) and the byte offset in the file where decoding can start. Built once when the video is loaded, from the
/// MP4 sample tables or the MPEG-TS packets; a timecode maps to a byte offset by binary search, O(log keyframes).
/// </summary>
[DebuggerDisplay("{Count} keyframes, {FrameRate} fps, {DurationSeconds} s")]
internal sealed class KeyframeIndex
{
    private readonly long[] _times;
    private readonly long[] _offsets;

    /// <param name="timescale">Ticks per second of <paramref name="times"/>, <paramref name="frameDuration"/> and <paramref name="duration"/>.</param>
    /// <param name="frameDuration">Ticks per frame (the frame rate is timescale / frameDuration).</param>
    /// <param name="duration">The track's duration in ticks.</param>
    /// <param name="times">Keyframe presentation times in ticks, the first frame of the track at 0.</param>
    /// <param name="offsets">Byte offsets of the keyframes, same order as <paramref name="times"/>.</param>
    /// <param name="container">What the index was built from, for descriptions (<c>MP4</c>, <c>MPEG-TS</c>).</param>
    public KeyframeIndex(long timescale, long frameDuration, long duration, long[] times, long[] offsets, string container)
    {
        if (timescale <= 0 || frameDuration <= 0 || times.Length == 0 || times.Length != offsets.Length)
        {
            throw new InvalidDataException($"unusable index: timescale {timescale}, frame duration {frameDuration}, {times.Length} times, {offsets.Length} offsets");
        }

        Array.Sort(times, offsets); // Presentation order (already so, unless keyframes are reordered).
        Timescale = timescale;
        FrameDuration = frameDuration;
        Duration = duration;
        Container = container;
        _times = times;
        _offsets = offsets;
    }

    public long Timescale { get; }

    public long FrameDuration { get; }

    public long Duration { get; }

    public string Container { get; }

    public int Count => _times.Length;

    /// <summary>For an MPEG-TS, its packet layout (the HLS playlist needs it); <see langword="null"/> for MP4.</summary>
    public MpegTsLayout? TransportStream { get; init; }

    public double FrameRate => (double)Timescale / FrameDuration;

    /// <summary>Frames per second as a timecode counts them: FF runs from 0 to this minus 1 (25 for 25 fps, 30 for 29.97).</summary>
    public int FramesPerSecond => (int)Math.Ceiling((double)Timescale / FrameDuration - 1e-9);

    public double DurationSeconds => (double)Duration / Timescale;

    /// <summary>The time of keyframe <paramref name="index"/> in seconds.</summary>
    public double TimeAt(int index) => (double)_times[index] / Timescale;

    /// <summary>The time of keyframe <paramref name="index"/> in ticks of <see cref="Timescale"/>.</summary>
    public long TicksAt(int index) => _times[index];

    /// <summary>The byte offset of keyframe <paramref name="index"/>.</summary>
    public long OffsetAt(int index) => _offsets[index];

    /// <summary>
    /// Maps <paramref name="timecode"/> to the last keyframe at or before it: time = HH:MM:SS + FF frames, in ticks
    /// <c>(HH*3600 + MM*60 + SS) * timescale + FF * frameDuration</c>, then a binary search. O(log n), no allocation.
    /// </summary>
    public KeyframeLookup Find(Timecode timecode, out int keyframe)
    {
        keyframe = -1;
        if (timecode.Frames >= FramesPerSecond)
        {
            return KeyframeLookup.InvalidFrame;
        }

        long target = (timecode.TotalSeconds * Timescale) + (timecode.Frames * FrameDuration);
        if (target >= Duration)
        {
            return KeyframeLookup.BeyondEnd;
        }

        int found = Array.BinarySearch(_times, target);
        keyframe = Math.Max(found >= 0 ? found : ~found - 1, 0);
        return KeyframeLookup.Found;
    }

    /// <summary>A one-line description for logs; never throws.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Container}, {DurationSeconds:0.###} s at {FrameRate:0.###} fps, {Count} keyframes");
}
