using System.Diagnostics;
using System.Globalization;
using System.Text;
using ZeroCopy;

namespace MediaServer.Media;

/// <summary>One segment of a <see cref="VodPlaylist"/>: a byte range of the video's file and its duration.</summary>
/// <param name="Offset">The first byte: 0 for the first segment, then the offset of a keyframe from the index.</param>
/// <param name="Length">The bytes up to the next segment's offset, or to the end of the file.</param>
/// <param name="Duration">Seconds, from the index's time stamps: the next segment's keyframe time minus this one's.</param>
internal readonly record struct VodSegment(long Offset, long Length, double Duration);

/// <summary>
/// The HLS media playlist (RFC 8216) of an indexed MPEG-TS video, as byte ranges of the video's own URL: one segment per
/// group of keyframes of about <see cref="SegmentTarget"/>, each <c>#EXT-X-BYTERANGE:length@offset</c> of
/// <c>/videos/{name}</c>, so every segment a player fetches is a Range request answered straight from the cache. Built and
/// rendered once, when the video is loaded.
/// </summary>
/// <remarks>
/// <para>
/// <b>Where a segment starts.</b> RFC 8216 section 3.2 wants each transport stream segment to hold a PAT and a PMT, or an
/// <c>EXT-X-MAP</c> naming them. A segment here starts at its keyframe's offset in the index, which is the PAT that the
/// muxer repeated (with the PMT) just before the keyframe — ffmpeg and most muxers do — so every segment decodes on its
/// own, with no <c>EXT-X-MAP</c>: Apple's players, hls.js and ffmpeg all take such segments, while players' support of
/// <c>EXT-X-MAP</c> with transport streams is uneven (hls.js reads PAT and PMT from the segments themselves). Only a file
/// whose keyframes are not all preceded by PAT and PMT gets <c>#EXT-X-MAP:URI="…",BYTERANGE="n@0"</c>, the start of the
/// file through its first PMT (<see cref="MpegTsLayout.InitializationLength"/>), and version 6, which that tag needs.
/// </para>
/// <para>
/// The first segment starts at byte 0, not at the first keyframe, so that whatever precedes it (an SDT, the first PAT)
/// is served too: the segments cover the file from its first byte to its last, without gaps or overlaps.
/// </para>
/// </remarks>
[DebuggerDisplay("{Segments.Count} segments, target {TargetDuration} s")]
internal sealed class VodPlaylist
{
    /// <summary>The duration a segment reaches before the next keyframe ends it (Apple's authoring advice: 6 s).</summary>
    public static readonly TimeSpan SegmentTarget = TimeSpan.FromSeconds(6);

    private readonly string _videoUri;       // the video's URL relative to the playlist's: ../{name}, escaped
    private readonly long? _mapLength;       // EXT-X-MAP's byte count at 0, when the segments need it
    private readonly byte[] _rendered;       // the playlist without a query on its URIs, rendered once
    private int _renders;                    // how many times a playlist was rendered, for the tests

    private VodPlaylist(string videoName, List<VodSegment> segments, long? mapLength, string etag)
    {
        _videoUri = "../" + Uri.EscapeDataString(videoName);
        _mapLength = mapLength;
        Segments = segments;
        TargetDuration = (int)Math.Ceiling(Math.Round(segments.Max(segment => segment.Duration), 3));
        ETag = etag;
        _rendered = Render(uriQuery: "");
    }

    /// <summary>The segments, in file order.</summary>
    public IReadOnlyList<VodSegment> Segments { get; }

    /// <summary><c>EXT-X-TARGETDURATION</c>: the longest segment's duration rounded up (RFC 8216 section 4.3.3.1).</summary>
    public int TargetDuration { get; }

    /// <summary>A strong entity tag of the playlist, derived from the video's (<see cref="Video"/> makes both).</summary>
    public string ETag { get; }

    /// <summary>The playlist as UTF-8, rendered once when it was built. O(1), no allocation.</summary>
    /// <remarks>The same array on every call, shared by every response: never written to.</remarks>
    public ReadOnlyMemory<byte> Utf8 => _rendered;

    /// <summary>How many times a playlist was rendered: 1 once built, plus one per <see cref="Render"/> with a query.</summary>
    public int RenderCount => Volatile.Read(ref _renders);

    /// <summary>
    /// The playlist of <paramref name="index"/>'s video, or <see langword="null"/> when it has none: not an MPEG-TS
    /// of 188-byte packets (MP4 plays progressively everywhere; M2TS's 192-byte packets are not HLS's transport stream).
    /// O(keyframes).
    /// </summary>
    /// <param name="videoName">The video's name, which the segment URIs name.</param>
    /// <param name="size">The video's size in bytes: the last segment ends there.</param>
    /// <param name="index">The video's keyframe index.</param>
    /// <param name="etag">The playlist's entity tag.</param>
    public static VodPlaylist? TryCreate(string videoName, long size, KeyframeIndex index, string etag)
    {
        if (index.TransportStream is not { PacketStride: MpegTsPacket.Size } layout)
        {
            return null;
        }

        // Cut at the first keyframe at least SegmentTarget (less half a frame, against rounding) after the segment's
        // start: a 1 s GOP gives 6 s segments, a 10 s GOP 10 s ones. A keyframe at or before the segment's first byte
        // (reordered, or its PAT shared with the previous one) cannot start a segment.
        long target = (long)(SegmentTarget.TotalSeconds * index.Timescale) - (index.FrameDuration / 2);
        var segments = new List<VodSegment>();
        long startOffset = 0, startTime = 0;
        for (int i = 1; i < index.Count; i++)
        {
            long time = index.TicksAt(i), offset = index.OffsetAt(i);
            if (time - startTime >= target && offset > startOffset && time < index.Duration)
            {
                segments.Add(new VodSegment(startOffset, offset - startOffset, (double)(time - startTime) / index.Timescale));
                (startOffset, startTime) = (offset, time);
            }
        }

        segments.Add(new VodSegment(startOffset, size - startOffset, (double)Math.Max(index.Duration - startTime, index.FrameDuration) / index.Timescale));
        return new VodPlaylist(videoName, segments, layout.InitializationLength, etag);
    }

    /// <summary>
    /// Renders the playlist with <paramref name="uriQuery"/> (empty, or <c>?…</c>) on every URI, so that a viewer's
    /// signed-URL query reaches the segments. O(segments), a new array: only for a query, since <see cref="Utf8"/> holds
    /// the playlist without one.
    /// </summary>
    public byte[] Render(string uriQuery)
    {
        Interlocked.Increment(ref _renders);
        var invariant = CultureInfo.InvariantCulture;
        string uri = _videoUri + uriQuery;
        var text = new StringBuilder(128 + (Segments.Count * (40 + uri.Length)));
        text.Append("#EXTM3U\n");
        text.Append(invariant, $"#EXT-X-VERSION:{(_mapLength is null ? 4 : 6)}\n"); // 4: EXT-X-BYTERANGE; 6: EXT-X-MAP in a media playlist
        text.Append("#EXT-X-PLAYLIST-TYPE:VOD\n");
        text.Append(invariant, $"#EXT-X-TARGETDURATION:{TargetDuration}\n");
        text.Append("#EXT-X-MEDIA-SEQUENCE:0\n");
        text.Append("#EXT-X-INDEPENDENT-SEGMENTS\n");
        if (_mapLength is long map)
        {
            text.Append(invariant, $"#EXT-X-MAP:URI=\"{uri}\",BYTERANGE=\"{map}@0\"\n");
        }

        foreach (VodSegment segment in Segments)
        {
            text.Append(invariant, $"#EXTINF:{segment.Duration:0.000},\n#EXT-X-BYTERANGE:{segment.Length}@{segment.Offset}\n{uri}\n");
        }

        text.Append("#EXT-X-ENDLIST\n");
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>A one-line description for logs; never throws.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"HLS: {Segments.Count} segments of up to {TargetDuration} s{(_mapLength is null ? "" : ", with EXT-X-MAP")}");
}
