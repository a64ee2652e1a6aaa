using System.Globalization;
using System.Net.Http;
using System.Text.RegularExpressions;

namespace MediaServer.Tests.Infrastructure;

/// <summary>Reading Low-Latency HLS playlists in tests: the preload hint, the parts and the segments they list.</summary>
public static partial class HlsHelpers
{
    /// <summary>The playlist URL of channel <paramref name="name"/>.</summary>
    public static Uri Playlist(Uri baseUri, string name, string query = "") => new(baseUri, $"live/{name}/index.m3u8{query}");

    /// <summary>
    /// Gets the playlist until it lists a complete segment and a preload hint: what a player that is not low-latency
    /// (ffmpeg) needs to start, and a part to block on.
    /// </summary>
    public static async Task<(string Playlist, string HintUri, long Msn, int Part)> WaitForPreloadHintAsync(HttpClient client, Uri playlist)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            string text = await client.GetStringAsync(playlist, timeout.Token);
            Match hint = PreloadHint().Match(text);
            if (hint.Success && SegmentUri().IsMatch(text))
            {
                return (text, hint.Groups[1].Value, long.Parse(hint.Groups[2].Value, CultureInfo.InvariantCulture), int.Parse(hint.Groups[3].Value, CultureInfo.InvariantCulture));
            }

            await Task.Delay(200, timeout.Token);
        }
    }

    /// <summary>The segment URIs a playlist lists (EXTINF lines' URIs), oldest first.</summary>
    public static List<string> Segments(string playlist) => [.. SegmentUri().Matches(playlist).Select(m => m.Groups[1].Value)];

    /// <summary>Asserts that <paramref name="body"/> is whole packets of the stream, after at most a 2-packet preamble.</summary>
    public static void AssertIsPartOfTheStream(byte[] body, byte[] stream)
    {
        Assert.True(body.Length > 0 && body.Length % 188 == 0, $"a body of {body.Length} bytes is not whole packets");
        bool found = body.Length >= 376 && stream.AsSpan().IndexOf(body.AsSpan(376)) >= 0 || stream.AsSpan().IndexOf(body) >= 0;
        Assert.True(found, $"the {body.Length} bytes served are not the stream's");
    }

    [GeneratedRegex("#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"([0-9a-f]+-(\\d+)\\.(\\d+)\\.ts)\"")]
    private static partial Regex PreloadHint();

    [GeneratedRegex("#EXTINF:[0-9.]+,\\n(\\S+\\.ts)")]
    private static partial Regex SegmentUri();
}
