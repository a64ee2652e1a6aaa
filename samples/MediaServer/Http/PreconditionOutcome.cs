namespace MediaServer.Http;

/// <summary>The outcome of a request's preconditions (RFC 9110 section 13.2.2) against a representation's validators.</summary>
internal enum PreconditionOutcome
{
    /// <summary>No precondition stops the request: answer it (200, 206 or 416).</summary>
    Passed,

    /// <summary><c>If-None-Match</c> or <c>If-Modified-Since</c> says the client's copy is current: 304.</summary>
    NotModified,

    /// <summary><c>If-Match</c> or <c>If-Unmodified-Since</c> failed (or <c>If-None-Match</c> matched on another method than GET or HEAD): 412.</summary>
    Failed,
}
