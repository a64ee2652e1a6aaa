using System.Globalization;
using System.Runtime.CompilerServices;
using MediaServer.AccessControl;
using MediaServer.Hosting;
using MediaServer.Http;
using MediaServer.Live;
using MediaServer.Live.Hls;
using ZeroCopy;

namespace MediaServer.Endpoints;

/// <summary>
/// Low-Latency HLS of the live channels. <c>GET /live/{name}/index.m3u8</c> is the media playlist (blocking reloads with
/// <c>_HLS_msn</c> and <c>_HLS_part</c>, time-shift with <c>t</c>); <c>GET /live/{name}/{epoch}-{msn}.ts</c> a segment and
/// <c>…/{epoch}-{msn}.{part}.ts</c> a part, each a range of the channel's ring sent with
/// <see cref="LiveCache.SendRangeAsync"/> — the bytes go from the ring to the socket, never through a buffer.
/// </summary>
/// <remarks>
/// Caching follows the HLS specification's advice for CDNs: a playlist answering a blocking request is cacheable for six
/// target durations (its URL names the exact update it waited for), a plain reload is not cached (half a part target
/// rounds to 0 s), and both carry <c>Age</c>, the seconds since the playlist last changed; segments and parts never
/// change under their URL (the epoch names the channel's life), so they are cacheable for a day.
/// </remarks>
internal sealed class HlsEndpoint(LiveChannelRegistry channels, HlsChannels hls)
{
    public const string PlaylistName = "index.m3u8";

    /// <summary>The media type of HLS playlists, live and on demand.</summary>
    public const string PlaylistType = "application/vnd.apple.mpegurl";

    // A blocking reload's answer is cacheable for six target durations (the playlist it names holds for as long); every
    // channel's segmenter takes the server's one HlsOptions, so the text is written once.
    private readonly string _reloadCacheControl = $"public, max-age={(long)(6 * hls.Options.SegmentTarget.TotalSeconds)}";

    public async ValueTask HandlePlaylistAsync(HttpExchange exchange, string name)
    {
        if (!channels.TryGet(name, out LiveChannel? channel))
        {
            await exchange.SendErrorAsync(HttpStatus.NotFound, $"no live channel '{name}' is being published").ConfigureAwait(false);
            return;
        }

        if (!exchange.TryParseQuery(out IReadOnlyDictionary<string, string> query)
            || !TryParseDirectives(query, out long? msn, out int? part)
            || !TimeShiftQuery.TryParse(query, out TimeShiftQuery? shift))
        {
            await exchange.SendErrorAsync(HttpStatus.BadRequest, "expected _HLS_msn=N[&_HLS_part=M] (M only with N) and t=-SECONDS or t=HH:MM:SS:FF[&fps=N]").ConfigureAwait(false);
            return;
        }

        HlsSegmenter segmenter = hls.GetOrStart(channel);
        long? startAt = null;
        if (shift is TimeShiftQuery timeShift)
        {
            if (!channel.TryHold())
            {
                await exchange.SendErrorAsync(HttpStatus.NotFound, $"live channel '{name}' just ended").ConfigureAwait(false);
                return;
            }

            try
            {
                if (!timeShift.TryResolve(channel.Cache, out SyncPoint start))
                {
                    await exchange.SendErrorAsync(HttpStatus.NotFound, $"the ring holds no keyframe at {timeShift}").ConfigureAwait(false);
                    return;
                }

                startAt = start.Position;
            }
            finally
            {
                channel.ReleaseHold();
            }
        }

        // A blocking reload: hold the request until the playlist holds what it asks for.
        if (msn is long wanted)
        {
            bool? holds = segmenter.Holds(wanted, part);
            if (holds is false)
            {
                if (!await WaitUntilAsync(exchange, segmenter, (wanted, part), static (s, asked) => s.Holds(asked.wanted, asked.part) is not false).ConfigureAwait(false))
                {
                    await exchange.SendErrorAsync(HttpStatus.ServiceUnavailable, $"segment {wanted} did not come within {segmenter.Options.MaxBlock.TotalSeconds:0} s").ConfigureAwait(false);
                    return;
                }

                holds = segmenter.Holds(wanted, part);
            }

            if (holds is null)
            {
                await exchange.SendErrorAsync(HttpStatus.BadRequest, $"_HLS_msn={wanted} is more than two segments ahead of the playlist").ConfigureAwait(false);
                return;
            }
        }

        // A channel that has just started has no complete segment yet, and a playlist without one makes players that are
        // not low-latency give up ("empty segment"): hold the request until the first one is complete.
        else if (!segmenter.HasCompleteSegment && !await WaitUntilAsync(exchange, segmenter, 0, static (s, _) => s.HasCompleteSegment).ConfigureAwait(false))
        {
            await exchange.SendErrorAsync(HttpStatus.ServiceUnavailable, $"the channel's first segment did not come within {segmenter.Options.MaxBlock.TotalSeconds:0} s").ConfigureAwait(false);
            return;
        }

        byte[] body = segmenter.RenderPlaylist(startAt, SignedViewerGate.QueryForLinks(query), out TimeSpan age);
        string cacheControl = msn is null ? "no-cache" : _reloadCacheControl;
        await exchange.SendContentAsync(HttpStatus.Ok, PlaylistType, body, (CacheControl: cacheControl, Age: (long)age.TotalSeconds), static (head, fields) => head
            .Add("Cache-Control", fields.CacheControl)
            .Add("Age", fields.Age)).ConfigureAwait(false);
    }

    public async ValueTask HandleMediaAsync(HttpExchange exchange, string name, string file)
    {
        if (!channels.TryGet(name, out LiveChannel? channel) || !TryParseMediaName(file, out Range epoch, out long msn, out int? part))
        {
            await exchange.SendErrorAsync(HttpStatus.NotFound, "no such segment").ConfigureAwait(false);
            return;
        }

        HlsSegmenter segmenter = hls.GetOrStart(channel);
        if (!file.AsSpan(epoch).SequenceEqual(segmenter.Epoch))
        {
            await exchange.SendErrorAsync(HttpStatus.Gone, "that segment belongs to an earlier life of the channel").ConfigureAwait(false);
            return;
        }

        // A preload hint names the next part before it exists: wait for it, like a blocking reload.
        HlsMedia media = segmenter.Locate(msn, part);
        if (media.Status == HlsMediaStatus.Pending)
        {
            if (!await WaitUntilAsync(exchange, segmenter, (msn, part), static (s, asked) => s.Locate(asked.msn, asked.part).Status != HlsMediaStatus.Pending).ConfigureAwait(false))
            {
                await exchange.SendErrorAsync(HttpStatus.ServiceUnavailable, "the part did not come in time").ConfigureAwait(false);
                return;
            }

            media = segmenter.Locate(msn, part);
        }

        switch (media.Status)
        {
            case HlsMediaStatus.Gone:
                await exchange.SendErrorAsync(HttpStatus.Gone, "the ring no longer holds that segment").ConfigureAwait(false);
                return;
            case HlsMediaStatus.NotFound:
                await exchange.SendErrorAsync(HttpStatus.NotFound, "no such segment").ConfigureAwait(false);
                return;
        }

        if (!channel.TryHold())
        {
            await exchange.SendErrorAsync(HttpStatus.Gone, "the channel ended").ConfigureAwait(false);
            return;
        }

        try
        {
            await SendMediaAsync(exchange, channel.Cache, media).ConfigureAwait(false);
        }
        finally
        {
            channel.ReleaseHold();
        }
    }

    /// <summary>
    /// Holds a request that is not ready yet (the caller has looked: most requests never come here) until
    /// <paramref name="ready"/> says so, at most <see cref="HlsOptions.MaxBlock"/> (on the connection's timer, which the
    /// answer's send re-arms once the wait is over); <see langword="false"/> when it timed out.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))] // a held request's wait reuses its state machine
    private static async ValueTask<bool> WaitUntilAsync<TState>(HttpExchange exchange, HlsSegmenter segmenter, TState state, Func<HlsSegmenter, TState, bool> ready)
    {
        CancellationToken deadline = exchange.BeginWait(segmenter.Options.MaxBlock);
        try
        {
            while (true)
            {
                long version = segmenter.ChangeVersion; // taken before the check: a change in between is not lost
                if (ready(segmenter, state))
                {
                    return true;
                }

                await segmenter.WaitForChangeAsync(version, deadline).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        finally
        {
            exchange.EndIo();
        }
    }

    private static async ValueTask SendMediaAsync(HttpExchange exchange, LiveCache cache, HlsMedia media)
    {
        // Checked before the head, and again by the send itself: a range reclaimed in between ends the connection early.
        if (media.Start < cache.OldestPosition)
        {
            await exchange.SendErrorAsync(HttpStatus.Gone, "the ring no longer holds that segment").ConfigureAwait(false);
            return;
        }

        exchange.StartResponse(HttpStatus.Ok)
            .Add("Content-Type", "video/mp2t")
            .Add("Content-Length", media.Preamble.Length + media.Length)
            .Add("Cache-Control", "public, max-age=86400, immutable");
        if (exchange.Request.IsHead)
        {
            await exchange.SendHeadAsync().ConfigureAwait(false);
            return;
        }

        // The head and the preamble leave in one send. (Corking the socket so that they would also share a packet with
        // the ring's first bytes measured worse: docs/benchmarks.md, section 9.)
        await exchange.SendHeadAsync(media.Preamble).ConfigureAwait(false);
        exchange.BodyBytesSent += media.Preamble.Length;
        CancellationToken token = exchange.BeginIo();
        try
        {
            if (!await cache.SendRangeAsync(exchange.Socket, media.Start, media.Length, token).ConfigureAwait(false))
            {
                exchange.KeepAlive = false; // Reclaimed since the check: the response is cut short, never other bytes.
                return;
            }
        }
        catch (LiveReaderLappedException)
        {
            exchange.KeepAlive = false; // Reclaimed mid-send: the cache shut the connection down.
            return;
        }
        finally
        {
            exchange.EndIo();
        }

        exchange.BodyBytesSent += media.Length;
    }

    private static bool TryParseDirectives(IReadOnlyDictionary<string, string> query, out long? msn, out int? part)
    {
        msn = null;
        part = null;
        if (query.TryGetValue("_HLS_msn", out string? msnText))
        {
            if (!long.TryParse(msnText, NumberStyles.None, CultureInfo.InvariantCulture, out long value))
            {
                return false;
            }

            msn = value;
        }

        if (query.TryGetValue("_HLS_part", out string? partText))
        {
            if (msn is null || !int.TryParse(partText, NumberStyles.None, CultureInfo.InvariantCulture, out int value))
            {
                return false;
            }

            part = value;
        }

        return true;
    }

    /// <summary>Parses <c>{epoch}-{msn}.ts</c> or <c>{epoch}-{msn}.{part}.ts</c>; <paramref name="epoch"/> is where the epoch lies in <paramref name="file"/>. No allocation.</summary>
    private static bool TryParseMediaName(string file, out Range epoch, out long msn, out int? part)
    {
        epoch = default;
        msn = 0;
        part = null;
        if (!file.EndsWith(".ts", StringComparison.Ordinal))
        {
            return false;
        }

        ReadOnlySpan<char> stem = file.AsSpan(0, file.Length - 3);
        int dash = stem.IndexOf('-');
        if (dash <= 0)
        {
            return false;
        }

        epoch = ..dash;
        ReadOnlySpan<char> numbers = stem[(dash + 1)..];
        int dot = numbers.IndexOf('.');
        if (!long.TryParse(dot < 0 ? numbers : numbers[..dot], NumberStyles.None, CultureInfo.InvariantCulture, out msn))
        {
            return false;
        }

        if (dot >= 0)
        {
            if (!int.TryParse(numbers[(dot + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int index))
            {
                return false;
            }

            part = index;
        }

        return true;
    }
}
