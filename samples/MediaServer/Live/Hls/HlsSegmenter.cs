using System.Diagnostics;
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
/// <para>
/// The files: this one holds the state and the segment state machine (keyframes open and end segments, parts are cut);
/// <c>HlsSegmenter.History.cs</c> cuts parts in the segment already open when the segmenter started, by the stream's
/// time stamps; <c>HlsSegmenter.Lookup.cs</c> answers what requests ask of the window; <c>HlsSegmenter.Playlist.cs</c>
/// writes the media playlist; <c>HlsSegmenter.Signalling.cs</c> wakes what waits for a change.
/// </para>
/// </remarks>
internal sealed partial class HlsSegmenter
{
    private readonly object _lock = new();
    private readonly LiveCache _cache;
    private readonly HlsOptions _options;
    private readonly List<HlsSegment> _segments = [];          // the window, oldest first; the last may be open
    private readonly LoopSignal _changed = new();             // signalled on every update
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
}
