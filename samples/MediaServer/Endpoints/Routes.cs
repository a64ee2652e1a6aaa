namespace MediaServer.Endpoints;

/// <summary>
/// The server's URL space, declared once: every resource's <see cref="Route"/>, in the order the router tries them (a
/// literal segment before a placeholder in the same place), and which of them a signed viewer URL is signed for.
/// </summary>
internal static class Routes
{
    /// <summary><c>/</c>: the player page.</summary>
    public static readonly Route Page = new("page", "/");

    /// <summary><c>/hls.min.js</c>: the pinned hls.js the page plays live channels with.</summary>
    public static readonly Route HlsScript = new("hlsScript", "/hls.min.js");

    /// <summary><c>/videos</c>: the videos as JSON.</summary>
    public static readonly Route VideoList = new("videoList", "/videos");

    /// <summary><c>/videos/{name}</c>: one video, whole or by byte range.</summary>
    public static readonly Route Video = new("video", "/videos/{name}");

    /// <summary><c>/videos/{name}/chunk</c>: a chunk of a video by timecode.</summary>
    public static readonly Route VideoChunk = new("videoChunk", "/videos/{name}/chunk");

    /// <summary><c>/videos/{name}/index.m3u8</c>: an indexed MPEG-TS video's VOD HLS playlist.</summary>
    public static readonly Route VideoPlaylist = new("videoPlaylist", "/videos/{name}/" + HlsEndpoint.PlaylistName);

    /// <summary><c>/live</c>: the live channels as JSON.</summary>
    public static readonly Route ChannelList = new("channelList", "/live");

    /// <summary><c>/live/{name}</c>: a channel as one continuous MPEG-TS (GET), or its publisher (PUT).</summary>
    public static readonly Route Channel = new("channel", "/live/{name}");

    /// <summary><c>/live/{name}/index.m3u8</c>: a channel's Low-Latency HLS playlist.</summary>
    public static readonly Route ChannelPlaylist = new("channelPlaylist", "/live/{name}/" + HlsEndpoint.PlaylistName);

    /// <summary><c>/live/{name}/{file}</c>: a channel's HLS segment or part.</summary>
    public static readonly Route ChannelMedia = new("channelMedia", "/live/{name}/{file}");

    /// <summary>Every route, in the order they are matched.</summary>
    public static IReadOnlyList<Route> All { get; } =
        [Page, HlsScript, VideoList, Video, VideoChunk, VideoPlaylist, ChannelList, Channel, ChannelPlaylist, ChannelMedia];

    /// <summary>
    /// The resources a signed viewer URL is signed for (<c>--viewer-secret-file</c>): a token for <c>/videos/NAME</c> or
    /// <c>/live/NAME</c> covers that path and everything below it.
    /// </summary>
    public static IReadOnlyList<Route> SignedScopes { get; } = [Video, Channel];

    /// <summary>The route <paramref name="segments"/> (decoded) name, or <see langword="null"/> (404).</summary>
    public static Route? Match(string[] segments, out string name, out string file)
    {
        foreach (Route route in All)
        {
            if (route.TryMatch(segments, out name, out file))
            {
                return route;
            }
        }

        name = file = string.Empty;
        return null;
    }

    /// <summary>
    /// The subject a viewer's token must be signed for when <paramref name="segments"/> (decoded) lie at or below a
    /// <see cref="SignedScopes"/> route: <c>/videos/clip.mp4</c> for <c>/videos/clip.mp4/chunk</c>.
    /// </summary>
    /// <returns><see langword="false"/> for what needs no signature (the page, the lists, an unknown path).</returns>
    public static bool TryGetSignedSubject(string[] segments, out string subject)
    {
        foreach (Route scope in SignedScopes)
        {
            if (scope.TryMatchPrefix(segments, out string name, out _))
            {
                subject = scope.Subject(name);
                return true;
            }
        }

        subject = string.Empty;
        return false;
    }
}
