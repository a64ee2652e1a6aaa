namespace MediaServer.AccessControl;

/// <summary>What <see cref="SignedToken.Verify"/> found.</summary>
internal enum SignedTokenCheck
{
    /// <summary>The signature matches and the expiry has not passed.</summary>
    Valid,

    /// <summary>The signature does not match (another subject, another secret, a tampered expiry or signature).</summary>
    Invalid,

    /// <summary>The signature matches but the expiry has passed.</summary>
    Expired,
}
