namespace MediaServer.AccessControl;

/// <summary>
/// What a presented credential is worth: a viewer's signed URL (<see cref="SignedToken.Verify"/>) or a publisher's stream
/// key or token (<see cref="PublishCredentials.Check"/>). Access control answers this and no more; what a refusal becomes
/// (a 403, an SRT reject reason, a log line) is the caller's.
/// </summary>
internal enum CredentialCheck
{
    /// <summary>The credential holds: the key matches, or the signature matches and the expiry has not passed.</summary>
    Valid,

    /// <summary>A credential is needed and none was presented.</summary>
    Missing,

    /// <summary>The key or the signature does not match (another subject, another secret, a tampered expiry or signature), or it cannot be read.</summary>
    Invalid,

    /// <summary>The signature matches but the expiry has passed.</summary>
    Expired,
}
