namespace MediaServer.Live;

/// <summary>
/// Why <see cref="LiveChannelRegistry.TryStartPublishing"/> refused a publisher. The registry knows no transport: each
/// maps the reason to what it can say (the PUT endpoint to an HTTP status, the raw TCP ingest to a log line before it
/// closes), and <see cref="LiveChannelRegistry.Describe"/> gives the words for both.
/// </summary>
internal enum PublishRefusal
{
    /// <summary>Not refused: the publisher got its channel.</summary>
    None,

    /// <summary>The channel name already has a publisher: one publisher per name at a time.</summary>
    ChannelBusy,

    /// <summary>The server already carries its most channels (<c>--max-channels</c>).</summary>
    TooManyChannels,
}
