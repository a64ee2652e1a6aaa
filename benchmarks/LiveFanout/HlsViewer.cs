using System.Diagnostics;

/// <summary>
/// One Low-Latency HLS viewer, as hls.js plays at the live edge: it joins at the playlist's preload hint, then, for each
/// next part, holds a blocking playlist reload (<c>_HLS_msn</c>, <c>_HLS_part</c>) on one connection and the part's
/// request on another, both answered when the server publishes the part; a viewer that finds newer parts listed than the
/// one it waited for fetches them at once (catching up), one that finds its next part no longer listed skips to the hint.
/// </summary>
/// <remarks>
/// Latency is recorded only for answers the server held (the frame that ended the wait was sent after the request):
/// a part's from the send of the frame its last bytes stamp (for a part that ends at a keyframe, the keyframe's, which
/// is what publishes it); a playlist's from the send of the newest frame before its answer, which is its trigger when
/// frames come further apart than the server's part interval (the latency mode).
/// </remarks>
internal sealed class HlsViewer(int port, string channel, Ingest ingest, int framesPerKeyframe)
{
    public long Bytes;
    public int Skips;
    public int Errors;
    public int Missing;   // a hinted part the server answered 404 (its segment ended first): expected at segment ends
    public volatile bool Recording;
    public readonly List<double> PartLatencies = [];
    public readonly List<double> PlaylistLatencies = [];

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        string playlistPath = $"/live/{channel}/index.m3u8";
        using var playlists = new KeepAliveConnection(port);
        using var media = new KeepAliveConnection(port);
        try
        {
            HlsPlaylist playlist;
            while (true)
            {
                HttpAnswer first = await playlists.GetAsync(playlistPath, keepBody: true, cancellationToken);
                playlist = HlsPlaylist.Parse(playlists.Body);
                if (first.Status == 200 && playlist.Hint is not null)
                {
                    break;
                }

                await Task.Delay(200, cancellationToken);
            }

            string epoch = playlist.Epoch!;
            PartId next = playlist.Hint!.Value;
            while (!cancellationToken.IsCancellationRequested)
            {
                long requested = Stopwatch.GetTimestamp();
                Task<HttpAnswer> reload = playlists.GetAsync($"{playlistPath}?_HLS_msn={next.Msn}&_HLS_part={next.Part}", keepBody: true, cancellationToken);
                HttpAnswer part = await media.GetAsync(PartPath(epoch, next), keepBody: false, cancellationToken);
                PartId consumed = next;
                if (part.Status == 200)
                {
                    Interlocked.Add(ref Bytes, part.Length);
                    RecordPart(part, requested);
                }
                else if (part.Status == 404)
                {
                    Missing++;
                    consumed = new PartId(next.Msn, int.MaxValue); // the segment ended: the next part is the next segment's first
                }
                else
                {
                    Errors++;
                }

                HttpAnswer answer = await reload;
                if (answer.Status != 200)
                {
                    Errors++;
                    await Task.Delay(100, cancellationToken);
                    continue;
                }

                RecordPlaylist(answer, requested);
                playlist = HlsPlaylist.Parse(playlists.Body);
                if (playlist.Hint is not PartId hint)
                {
                    return; // The stream ended.
                }

                // Parts published while this viewer was busy are fetched now; a viewer whose next part is no longer
                // listed (a whole segment behind the parts the playlist lists) skips to the live edge.
                if (playlist.Parts.Count > 0 && consumed.Msn < playlist.Parts[0].Msn - 1)
                {
                    Skips++;
                }
                else
                {
                    foreach (PartId listed in playlist.Parts)
                    {
                        if (listed > consumed && !cancellationToken.IsCancellationRequested)
                        {
                            HttpAnswer late = await media.GetAsync(PartPath(epoch, listed), keepBody: false, cancellationToken);
                            if (late.Status == 200)
                            {
                                Interlocked.Add(ref Bytes, late.Length);
                            }
                            else
                            {
                                Errors++;
                            }
                        }
                    }
                }

                next = hint;
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException)
        {
            Errors += cancellationToken.IsCancellationRequested ? 0 : 1;
        }
    }

    private string PartPath(string epoch, PartId part) => $"/live/{channel}/{epoch}-{part.Msn}.{part.Part}.ts";

    private void RecordPart(HttpAnswer part, long requested)
    {
        long frame = SyntheticStream.FrameOf(part.Tail);
        if (frame < 0 || !Recording)
        {
            return;
        }

        // A part that ends right before a keyframe is published by the keyframe's arrival.
        long trigger = (frame + 1) % framesPerKeyframe == 0 && ingest.SentAt(frame + 1) is long next and > 0 && next < part.ReceivedAt ? frame + 1 : frame;
        long sent = ingest.SentAt(trigger);
        if (sent > requested)
        {
            PartLatencies.Add(Stopwatch.GetElapsedTime(sent, part.ReceivedAt).TotalMilliseconds);
        }
    }

    private void RecordPlaylist(HttpAnswer answer, long requested)
    {
        long newest = ingest.Frames - 1;
        while (newest >= 0 && ingest.SentAt(newest) > answer.ReceivedAt)
        {
            newest--;
        }

        long sent = ingest.SentAt(newest);
        if (Recording && sent > requested)
        {
            PlaylistLatencies.Add(Stopwatch.GetElapsedTime(sent, answer.ReceivedAt).TotalMilliseconds);
        }
    }
}
