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

    /// <summary>The publisher's address already publishes its most channels (<c>--max-channels-per-address</c>).</summary>
    TooManyChannelsFromAddress,

    /// <summary>A new ring does not fit in what is left of the memory budget (<c>--memory-budget</c>).</summary>
    OverMemoryBudget,

    /// <summary>Publishing needs a credential and none was presented (<see cref="AccessControl.CredentialCheck.Missing"/>).</summary>
    CredentialMissing,

    /// <summary>The stream key or the token's signature does not match (a wrong key, a tampered token: <see cref="AccessControl.CredentialCheck.Invalid"/>).</summary>
    CredentialInvalid,

    /// <summary>The token's signature matches but its expiry has passed (<see cref="AccessControl.CredentialCheck.Expired"/>).</summary>
    CredentialExpired,
}
