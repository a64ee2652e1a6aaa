using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace MediaServer.Live.Hls;

// The playlist writer: the media playlist as the window is now, rendered once per change and shared, or for one request.
internal sealed partial class HlsSegmenter
{
    /// <summary>
    /// The media playlist as it is now, encoded: rendered once per change of the playlist and shared by every request it
    /// answers until the next (a thousand viewers' blocking reloads wake together and get the same bytes). A time-shifted
    /// playlist (<paramref name="startAt"/>) or one whose URIs carry a query (<paramref name="uriQuery"/>, a signed URL's)
    /// is rendered for its request.
    /// </summary>
    public byte[] RenderPlaylist(long? startAt, string uriQuery, out TimeSpan age)
    {
        if (startAt is not null || uriQuery.Length > 0)
        {
            var own = new StringBuilder(4096);
            WritePlaylist(own, startAt, uriQuery, out age);
            return Encoding.UTF8.GetBytes(own.ToString());
        }

        lock (_lock)
        {
            if (_rendered is null)
            {
                // The builder only when rendering: a request answered with the shared bytes allocates nothing here.
                var text = new StringBuilder(4096);
                WritePlaylist(text, startAt: null, uriQuery: "", out _);
                _rendered = Encoding.UTF8.GetBytes(text.ToString());
            }

            age = Stopwatch.GetElapsedTime(_changedAt);
            return _rendered;
        }
    }

    /// <summary>
    /// Writes the media playlist as it is now into <paramref name="playlist"/>: O(segments) work and allocation, parts for
    /// the segments of the last three target durations only. <paramref name="startAt"/> adds <c>EXT-X-START</c> at the
    /// segment starting at that ring position (a time-shifted join); <paramref name="uriQuery"/> (empty, or <c>?…</c>) is
    /// appended to every segment and part URI, so that a viewer's signed-URL query reaches them; <paramref name="age"/> is
    /// how long ago it last changed.
    /// </summary>
    public void WritePlaylist(StringBuilder playlist, long? startAt, string uriQuery, out TimeSpan age)
    {
        lock (_lock)
        {
            age = Stopwatch.GetElapsedTime(_changedAt);
            int target = (int)Math.Ceiling(Math.Max(_options.SegmentTarget.TotalSeconds, _longestSegment));
            double partTarget = _options.PartTarget.TotalSeconds;
            var invariant = CultureInfo.InvariantCulture;
            playlist.Append("#EXTM3U\n#EXT-X-VERSION:9\n");
            playlist.Append(invariant, $"#EXT-X-TARGETDURATION:{target}\n");
            playlist.Append(invariant, $"#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK={3 * partTarget:0.###}\n");
            playlist.Append(invariant, $"#EXT-X-PART-INF:PART-TARGET={partTarget:0.###}\n");
            playlist.Append(invariant, $"#EXT-X-MEDIA-SEQUENCE:{(_segments.Count > 0 ? _segments[0].Msn : _nextMsn)}\n");
            if (startAt is long position)
            {
                double offset = 0;
                foreach (HlsSegment segment in _segments)
                {
                    if (segment.Start >= position || !segment.IsComplete)
                    {
                        break;
                    }

                    offset += segment.Duration;
                }

                playlist.Append(invariant, $"#EXT-X-START:TIME-OFFSET={offset:0.###},PRECISE=YES\n");
            }

            // Parts are listed for the segments that end within three target durations of the live edge.
            double fromEnd = 0;
            int firstWithParts = _segments.Count;
            while (firstWithParts > 0 && fromEnd < 3 * target)
            {
                firstWithParts--;
                fromEnd += _segments[firstWithParts].Duration;
            }

            for (int i = 0; i < _segments.Count; i++)
            {
                HlsSegment segment = _segments[i];
                if (!segment.IsComplete && !segment.HasParts)
                {
                    break; // History still open without time stamps to cut it by: listed once its next keyframe ends it.
                }

                playlist.Append(invariant, $"#EXT-X-PROGRAM-DATE-TIME:{segment.ProgramDateTime:yyyy-MM-dd'T'HH:mm:ss.fffzzz}\n");
                if (i >= firstWithParts && segment.HasParts)
                {
                    for (int p = 0; p < segment.Parts.Count; p++)
                    {
                        HlsPart part = segment.Parts[p];
                        playlist.Append(invariant, $"#EXT-X-PART:DURATION={part.Duration:0.#####},URI=\"{Epoch}-{segment.Msn}.{p}.ts{uriQuery}\"{(part.Independent ? ",INDEPENDENT=YES" : "")}\n");
                    }
                }

                if (segment.IsComplete)
                {
                    playlist.Append(invariant, $"#EXTINF:{segment.Duration:0.#####},\n{Epoch}-{segment.Msn}.ts{uriQuery}\n");
                }
                else if (segment.HasParts && !_ended)
                {
                    playlist.Append(invariant, $"#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"{Epoch}-{segment.Msn}.{segment.Parts.Count}.ts{uriQuery}\"\n");
                }
            }

            if (_ended)
            {
                playlist.Append("#EXT-X-ENDLIST\n");
            }
        }
    }
}
