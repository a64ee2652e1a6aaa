namespace MediaServer.Live.Hls;

// What requests ask of the window: whether it holds a segment or part yet, where one lies in the ring, how much it holds.
internal sealed partial class HlsSegmenter
{
    /// <summary>
    /// The window as it is now: how long its complete segments last (the sum of their durations) and how many stream bytes
    /// they hold. O(segments), under the lock.
    /// </summary>
    public (TimeSpan Duration, long Bytes) MeasureWindow()
    {
        lock (_lock)
        {
            double seconds = 0;
            long bytes = 0;
            foreach (HlsSegment segment in _segments)
            {
                if (segment.IsComplete)
                {
                    seconds += segment.Duration;
                    bytes += segment.End - segment.Start;
                }
            }

            return (TimeSpan.FromSeconds(seconds), bytes);
        }
    }

    /// <summary>
    /// Whether the playlist lists a complete segment, or is final: what a player that is not low-latency (ffmpeg, VLC)
    /// needs before it can start. A channel's first segment takes up to <see cref="HlsOptions.SegmentTarget"/> to come.
    /// </summary>
    public bool HasCompleteSegment
    {
        get
        {
            lock (_lock)
            {
                return _ended || (_segments.Count > 0 && _segments[0].IsComplete);
            }
        }
    }

    /// <summary>
    /// Whether the playlist holds segment <paramref name="msn"/> (complete), or, with <paramref name="part"/>, that part
    /// of it: what a blocking reload waits for. <see langword="null"/> when it is too far ahead to wait for (400).
    /// </summary>
    public bool? Holds(long msn, int? part)
    {
        lock (_lock)
        {
            if (_ended || (_segments.Count > 0 && msn < _segments[0].Msn))
            {
                return true;
            }

            HlsSegment? open = _segments.Count > 0 && !_segments[^1].IsComplete ? _segments[^1] : null;
            long lastMsn = open?.Msn ?? _nextMsn;
            if (msn > lastMsn + 2)
            {
                return null;
            }

            HlsSegment? segment = Find(msn);
            return segment is not null && (part is not int p ? segment.IsComplete : segment.IsComplete || p < segment.Parts.Count);
        }
    }

    /// <summary>What segment <paramref name="msn"/> (or its part <paramref name="part"/>) maps to now.</summary>
    public HlsMedia Locate(long msn, int? part)
    {
        lock (_lock)
        {
            if (_segments.Count == 0)
            {
                return HlsMedia.Of(_ended ? HlsMediaStatus.NotFound : msn == _nextMsn ? HlsMediaStatus.Pending : HlsMediaStatus.NotFound);
            }

            if (msn < _segments[0].Msn)
            {
                return HlsMedia.Of(msn >= 0 ? HlsMediaStatus.Gone : HlsMediaStatus.NotFound);
            }

            HlsSegment? segment = Find(msn);
            if (segment is null)
            {
                // The next segment's first part is what a preload hint names at a segment's end.
                bool next = !_ended && msn == _segments[^1].Msn + 1 && part is 0 or null;
                return HlsMedia.Of(next ? HlsMediaStatus.Pending : HlsMediaStatus.NotFound);
            }

            if (segment.Start < _cache.OldestPosition)
            {
                return HlsMedia.Of(HlsMediaStatus.Gone);
            }

            if (part is not int index)
            {
                return segment.IsComplete
                    ? new HlsMedia(HlsMediaStatus.Ready, segment.Start, segment.End - segment.Start, segment.Preamble)
                    : HlsMedia.Of(_ended ? HlsMediaStatus.NotFound : HlsMediaStatus.Pending);
            }

            if (index < segment.Parts.Count)
            {
                HlsPart found = segment.Parts[index];
                return new HlsMedia(HlsMediaStatus.Ready, found.Start, found.Length, index == 0 ? segment.Preamble : default);
            }

            bool hinted = !_ended && !segment.IsComplete && segment.HasParts && index == segment.Parts.Count;
            return HlsMedia.Of(hinted ? HlsMediaStatus.Pending : HlsMediaStatus.NotFound);
        }
    }

    private HlsSegment? Find(long msn)
    {
        if (_segments.Count == 0 || msn < _segments[0].Msn || msn > _segments[^1].Msn)
        {
            return null;
        }

        return _segments[(int)(msn - _segments[0].Msn)];
    }
}
