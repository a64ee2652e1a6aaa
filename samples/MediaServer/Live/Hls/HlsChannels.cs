using System.Globalization;
using System.Runtime.CompilerServices;

namespace MediaServer.Live.Hls;

/// <summary>
/// The HLS segmenter of each live channel, started on the channel's first HLS request (it lists the ring's history, then
/// cuts parts live) and running until the channel's stream ends. Kept beside the channel rather than in it, so the live
/// layer knows nothing of HLS.
/// </summary>
internal sealed class HlsChannels(HlsOptions options, CancellationToken stopping)
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
            _ = segmenter.RunAsync(stopping);
            return segmenter;
        }
    }
}
