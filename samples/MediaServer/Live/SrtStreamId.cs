
namespace MediaServer.Live;

/// <summary>
/// What an SRT publisher's stream id asks for: a channel, and the credential for it. Two spellings are understood: SRT's
/// access-control convention, <c>#!::r=NAME,k=KEY</c> (keys <c>r</c> the channel, <c>k</c> the stream key, <c>m</c> the
/// mode, which must be <c>publish</c> when given; <c>u</c>, <c>h</c>, <c>s</c> and <c>t</c> are accepted and ignored),
/// and what OBS users type, <c>NAME</c> or <c>NAME?key=KEY</c> (or <c>NAME?expires=E&amp;token=T</c>: the query is the
/// credential, as on the raw TCP ingest's first line).
/// </summary>
/// <param name="Channel">The channel to publish (a valid <see cref="ChannelName"/>).</param>
/// <param name="Credential">A query string for <see cref="PublishCredentials.Check"/>; <see langword="null"/> when none was given.</param>
internal readonly record struct SrtStreamId(string Channel, string? Credential)
{
    private const string KeyedPrefix = "#!::";

    /// <summary>Reads <paramref name="streamId"/>; on failure <paramref name="failure"/> says what is wrong, for the log and the reject reason.</summary>
    public static bool TryParse(string streamId, out SrtStreamId parsed, out string? failure)
    {
        parsed = default;
        (string? channel, string? credential, failure) = streamId.StartsWith(KeyedPrefix, StringComparison.Ordinal)
            ? ParseKeyed(streamId.AsSpan(KeyedPrefix.Length))
            : ParsePlain(streamId);
        if (failure is not null)
        {
            return false;
        }

        if (channel is null || !ChannelName.IsValid(channel))
        {
            failure = channel is null or ""
                ? "the stream id names no channel (streamid=NAME, NAME?key=KEY or #!::r=NAME,k=KEY)"
                : $"'{channel}' is not a channel name: 1 to {ChannelName.MaxLength} of A-Z a-z 0-9 _ - .";
            return false;
        }

        parsed = new SrtStreamId(channel, string.IsNullOrEmpty(credential) ? null : credential);
        return true;
    }

    private static (string? Channel, string? Credential, string? Failure) ParsePlain(string streamId)
    {
        int query = streamId.IndexOf('?');
        return query < 0 ? (streamId, null, null) : (streamId[..query], streamId[(query + 1)..], null);
    }

    private static (string? Channel, string? Credential, string? Failure) ParseKeyed(ReadOnlySpan<char> pairs)
    {
        string? channel = null, key = null;
        foreach (Range range in pairs.Split(','))
        {
            ReadOnlySpan<char> pair = pairs[range];
            int equals = pair.IndexOf('=');
            if (equals <= 0)
            {
                return (null, null, $"'{pair}' in the stream id is not KEY=VALUE");
            }

            ReadOnlySpan<char> name = pair[..equals], value = pair[(equals + 1)..];
            switch (name)
            {
                case "r" when channel is null:
                    channel = value.ToString();
                    break;
                case "k" when key is null:
                    key = value.ToString();
                    break;
                case "r" or "k":
                    return (null, null, $"'{name}' appears twice in the stream id");
                case "m" when value is not "publish":
                    return (null, null, $"mode m={value}: this port takes publishers (m=publish); watch over HTTP");
                case "m" or "u" or "h" or "s" or "t":
                    break;
                default:
                    return (null, null, $"the stream id key '{name}' is not supported (r, k, m, u, h, s, t)");
            }
        }

        return (channel, key is null ? null : "key=" + Uri.EscapeDataString(key), null);
    }
}
