using System.Globalization;
using System.Runtime.CompilerServices;
using MediaServer.Diagnostics;
using Microsoft.Extensions.Logging;

namespace MediaServer.Live.Hls;

/// <summary>
/// The HLS segmenter of each live channel, started on the channel's first HLS request (it lists the ring's history, then
/// cuts parts live) and running until the channel's stream ends. Kept beside the channel rather than in it, so the live
/// layer knows nothing of HLS. A segmenter that fails is logged, never lost.
/// </summary>
internal sealed class HlsChannels(HlsOptions options, ILogger logger, CancellationToken stopping)
{
    private readonly object _lock = new();
    private readonly ConditionalWeakTable<LiveChannel, HlsSegmenter> _segmenters = [];

    public HlsOptions Options => options;

    /// <summary>The channel's segmenter, started now if it has none yet.</summary>
    public HlsSegmenter GetOrStart(LiveChannel channel)
    {
        lock (_lock)
        {
            if (_segmenters.TryGetValue(channel, out HlsSegmenter? segmenter))
            {
                return segmenter;
            }

            segmenter = new HlsSegmenter(channel.Cache, options, channel.Started.ToUnixTimeMilliseconds().ToString("x", CultureInfo.InvariantCulture));
            _segmenters.Add(channel, segmenter);
            Observe(segmenter.RunAsync(stopping), channel.Name);
            return segmenter;
        }
    }

    // RunAsync ends by itself with its channel's stream (or the server's stop); anything else it throws is logged here.
    private async void Observe(Task run, string channel)
    {
        try
        {
            await run.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            ServerLog.SegmenterFailed(logger, channel, e);
        }
    }
}
