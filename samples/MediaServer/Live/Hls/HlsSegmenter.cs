using System.Diagnostics;
using System.Globalization;
using System.Text;
using ZeroCopy;

namespace MediaServer.Live.Hls;

/// <summary>
/// Cuts one live channel into Low-Latency HLS segments and parts, as ranges of the channel's ring: segments at keyframe
/// sync points (the library's index gives their positions and presentation times) near <see cref="HlsOptions.SegmentTarget"/>,
/// parts every <see cref="HlsOptions.PartInterval"/> of wall-clock time at the ring's readable end. Nothing is copied:
/// a segment or part is a (position, length) pair, sent with <see cref="LiveCache.SendRangeAsync"/>.
/// </summary>
/// <remarks>
/// <para>
/// One task per channel waits for publication with <see cref="LiveCache.WaitForPublishedAsync"/> (no thread while it
/// waits) and updates the segment list under a lock; playlist and media requests read it under the same lock, and
/// blocked ones wait on <see cref="WaitForChangeAsync"/>, which completes on every update. The window slides with the
/// ring: a segment whose first byte the writer reclaimed leaves the playlist, and its URIs answer 410.
/// </para>
/// <para>
/// Part durations are wall-clock times between cuts (the encoder pushes in real time); segment durations are exact, the
/// difference of their keyframes' presentation times, and a segment's last part takes up the difference so that its parts
/// add up to it. A segment's program date is when the writer published its keyframe (the library's index keeps that), so
/// a segmenter that starts on a running channel dates the ring's history as it happened. It lists the history's complete
/// segments whole; the segment still open then gets parts for its history at once, so that a player joining there has
/// parts to play up to the live edge rather than a stall until that segment ends.
/// </para>
/// </remarks>
internal sealed class HlsSegmenter
{
    private readonly object _lock = new();
    private readonly LiveCache _cache;
    private readonly HlsOptions _options;
    private readonly List<HlsSegment> _segments = [];          // the window, oldest first; the last may be open
    private TaskCompletionSource _changed = NewSignal();      // completed, and replaced, on every update
    private long _nextMsn;                                    // the next segment's media sequence number
    private long _lastKeyframe = -1;                          // the newest sync point seen
    private long _partStart;                                  // where the open part starts
    private long _partStartedAt;                              // when it started (Stopwatch timestamp)
    private double _longestSegment;                           // for EXT-X-TARGETDURATION
    private bool _ended;                                      // the stream completed: EXT-X-ENDLIST
    private long _changedAt = Stopwatch.GetTimestamp();       // when the playlist last changed: its Age
    private readonly long _startedAt = Stopwatch.GetTimestamp(); // keyframes published before this are history: no parts
    private bool _historyTimed;                               // the segment open at the start has been given its parts
    private byte[]? _rendered;                                // the live playlist as sent, until it next changes

    public HlsSegmenter(LiveCache cache, HlsOptions options, string epoch)
    {
        _cache = cache;
        _options = options;
        Epoch = epoch;
    }

    /// <summary>A token of the channel's life in its media URIs, so that a CDN never serves a past channel's segment for a new one.</summary>
    public string Epoch { get; }

    public HlsOptions Options => _options;

    /// <summary>Whether the stream has ended and the playlist is final.</summary>
    public bool IsEnded
    {
        get
        {
            lock (_lock)
            {
                return _ended;
            }
        }
    }

    /// <summary>Runs until the stream completes or the cache is disposed; started once per channel.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            long end = _cache.ReadableEnd;
            Update(end);
            while (!cancellationToken.IsCancellationRequested)
            {
                end = await _cache.WaitForPublishedAsync(end + 1, cancellationToken).ConfigureAwait(false);
                bool completed = _cache.IsCompleted && _cache.ReadableEnd == end;
                Update(end);
                if (completed)
                {
                    End(end);
                    return;
                }
            }
        }
        catch (Exception e) when (e is ObjectDisposedException or OperationCanceledException)
        {
            // The channel is gone (or the server stops): the playlist is final.
        }

        lock (_lock)
        {
            _ended = true;
            Signal();
        }
    }

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

    /// <summary>A task that completes at the next update of the playlist (or at once if the stream has ended).</summary>
    public Task WaitForChangeAsync()
    {
        lock (_lock)
        {
            return _ended ? Task.CompletedTask : _changed.Task;
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

    /// <summary>Takes in everything published up to <paramref name="end"/>: new keyframes (segments), a part if it is time.</summary>
    private void Update(long end)
    {
        lock (_lock)
        {
            bool changed = false;
            while (_cache.TryGetSyncPointAfter(_lastKeyframe, out SyncPoint keyframe, out TimeSpan sincePublished) && keyframe.Position <= end)
            {
                _lastKeyframe = keyframe.Position;
                changed |= OnKeyframe(keyframe, Stopwatch.GetTimestamp() - (long)(sincePublished.TotalSeconds * Stopwatch.Frequency));
            }

            HlsSegment? open = _segments.Count > 0 ? _segments[^1] : null;
            if (open is { IsComplete: false, HasParts: false } && !_historyTimed)
            {
                _historyTimed = true;
                CutHistoryParts(open, end);
                changed = true;
            }

            if (open is { IsComplete: false, HasParts: true } && end > _partStart && Stopwatch.GetElapsedTime(_partStartedAt) >= _options.PartInterval)
            {
                double duration = Math.Min(Stopwatch.GetElapsedTime(_partStartedAt).TotalSeconds, _options.PartTarget.TotalSeconds);
                CutPart(open, end, duration);
                changed = true;
            }

            // The window slides with the ring: a segment whose start was reclaimed is gone.
            long oldest = _cache.OldestPosition;
            int gone = 0;
            while (gone < _segments.Count - 1 && _segments[gone].Start < oldest)
            {
                gone++;
            }

            if (gone > 0)
            {
                _segments.RemoveRange(0, gone);
                changed = true;
            }

            if (changed)
            {
                Signal();
            }
        }
    }

    /// <summary>
    /// A keyframe the writer published at <paramref name="publishedAt"/> (a <see cref="Stopwatch"/> timestamp): it ends the
    /// open segment when that is long enough and its parts end before it.
    /// </summary>
    private bool OnKeyframe(SyncPoint keyframe, long publishedAt)
    {
        HlsSegment? open = _segments.Count > 0 ? _segments[^1] : null;
        if (open is null)
        {
            Open(keyframe, publishedAt);
            return true;
        }

        double duration = open.StartTime is TimeSpan start && keyframe.PresentationTime is TimeSpan time
            ? (time - start).TotalSeconds
            : (ProgramDateTime(publishedAt) - open.ProgramDateTime).TotalSeconds;
        bool longEnough = duration >= _options.SegmentTarget.TotalSeconds - 0.01;
        bool onPartBoundary = !open.HasParts || keyframe.Position >= _partStart;
        if (!longEnough || !onPartBoundary || duration <= 0)
        {
            return false; // A keyframe inside the segment (or inside a part already published).
        }

        if (open.HasParts && keyframe.Position > _partStart)
        {
            double listed = 0;
            foreach (HlsPart part in open.Parts)
            {
                listed += part.Duration;
            }

            CutPart(open, keyframe.Position, Math.Clamp(duration - listed, 0.001, _options.PartTarget.TotalSeconds));
        }

        open.End = keyframe.Position;
        open.Duration = duration;
        _longestSegment = Math.Max(_longestSegment, duration);
        Open(keyframe, publishedAt);
        return true;
    }

    /// <summary>
    /// Opens a segment at a keyframe published at <paramref name="publishedAt"/>. History gets no parts here: its bytes
    /// arrived before the segmenter could time them on the wall clock (the one still open is cut on its time stamps
    /// instead, <see cref="CutHistoryParts"/>).
    /// </summary>
    private void Open(SyncPoint keyframe, long publishedAt)
    {
        bool hasParts = publishedAt >= _startedAt;
        _segments.Add(new HlsSegment(_nextMsn++, keyframe.Position, keyframe.Preamble, keyframe.PresentationTime, ProgramDateTime(publishedAt), hasParts));
        _partStart = keyframe.Position;
        _partStartedAt = publishedAt;
    }

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

    /// <summary>The wall-clock time of a <see cref="Stopwatch"/> timestamp in the past.</summary>
    private static DateTimeOffset ProgramDateTime(long timestamp) => DateTimeOffset.UtcNow - Stopwatch.GetElapsedTime(timestamp);

    private void CutPart(HlsSegment segment, long end, double duration)
    {
        segment.Parts.Add(new HlsPart(_partStart, end - _partStart, duration, Independent: _partStart == segment.Start));
        _partStart = end;
        _partStartedAt = Stopwatch.GetTimestamp();
    }

    /// <summary>The stream completed at <paramref name="end"/>: the open segment ends there and the playlist is final.</summary>
    private void End(long end)
    {
        lock (_lock)
        {
            if (_segments.Count > 0 && _segments[^1] is { IsComplete: false } open && end > open.Start)
            {
                double listed = 0;
                foreach (HlsPart part in open.Parts)
                {
                    listed += part.Duration;
                }

                double duration = Math.Max(listed + Stopwatch.GetElapsedTime(_partStartedAt).TotalSeconds, 0.001);
                if (open.HasParts && end > _partStart)
                {
                    CutPart(open, end, Math.Min(duration - listed, _options.PartTarget.TotalSeconds));
                }

                open.End = end;
                open.Duration = duration;
            }
            else if (_segments.Count > 0 && !_segments[^1].IsComplete)
            {
                _segments.RemoveAt(_segments.Count - 1);
            }

            _ended = true;
            Signal();
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

    /// <summary>Wakes everything blocked on the playlist; called under the lock.</summary>
    private void Signal()
    {
        TaskCompletionSource changed = _changed;
        _changed = NewSignal();
        _changedAt = Stopwatch.GetTimestamp();
        _rendered = null;
        changed.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
