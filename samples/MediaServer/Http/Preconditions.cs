namespace MediaServer.Http;

/// <summary>
/// Evaluates conditional requests (RFC 9110 section 13.2.2) against a representation's <see cref="Validators"/>: the one
/// home of these rules in the media server, for every endpoint that sends an <c>ETag</c>. The same rules as
/// ZeroCopy.AspNetCore's <c>Preconditions.Evaluate</c> and <c>ByteRangeSelection</c>, so that both servers answer alike
/// (docs/http-semantics.md has the table, and both servers' tests run it).
/// </summary>
internal static class Preconditions
{
    /// <summary>
    /// Evaluates the preconditions in the RFC's order: <c>If-Match</c> (strong comparison, <c>*</c> matches), else
    /// <c>If-Unmodified-Since</c>; then <c>If-None-Match</c> (weak comparison: 304 for GET and HEAD, 412 otherwise), else
    /// <c>If-Modified-Since</c> for GET and HEAD. A field that does not parse (a malformed date, a list that is not one)
    /// is ignored. O(length of the fields), no allocation.
    /// </summary>
    /// <param name="request">The request.</param>
    /// <param name="validators">The representation's validators.</param>
    /// <returns>What to answer.</returns>
    public static PreconditionOutcome Evaluate(HttpRequest request, Validators validators)
    {
        if (EntityTag.TryMatchList(request.GetHeader("If-Match"), validators.ETag, useStrongComparison: true, out bool matched))
        {
            if (!matched)
            {
                return PreconditionOutcome.Failed;
            }
        }
        else if (HttpDate.TryParse(request.GetHeader("If-Unmodified-Since"), out DateTimeOffset unmodifiedSince) && validators.LastModified > unmodifiedSince)
        {
            return PreconditionOutcome.Failed;
        }

        bool safe = request.Method is "GET" or "HEAD";
        if (EntityTag.TryMatchList(request.GetHeader("If-None-Match"), validators.ETag, useStrongComparison: false, out matched))
        {
            if (matched)
            {
                return safe ? PreconditionOutcome.NotModified : PreconditionOutcome.Failed;
            }
        }
        else if (safe && HttpDate.TryParse(request.GetHeader("If-Modified-Since"), out DateTimeOffset modifiedSince) && validators.LastModified <= modifiedSince)
        {
            return PreconditionOutcome.NotModified;
        }

        return PreconditionOutcome.Passed;
    }

    /// <summary>
    /// Whether <c>If-Range</c> lets a Range through (RFC 9110 section 13.1.5): absent; or an entity tag that strongly
    /// matches (a weak tag never does); or a date equal to <c>Last-Modified</c>. A value that is neither does not.
    /// Meaningful only with a Range (without one the whole representation is sent anyway). O(length), no allocation.
    /// </summary>
    /// <param name="request">The request.</param>
    /// <param name="validators">The representation's validators.</param>
    /// <returns>Whether to evaluate the Range; <see langword="false"/> sends the whole representation.</returns>
    public static bool IfRangeHolds(HttpRequest request, Validators validators)
    {
        string? ifRange = request.GetHeader("If-Range");
        if (ifRange is null)
        {
            return true;
        }

        ReadOnlySpan<char> value = ifRange.AsSpan().Trim(" \t");
        return EntityTag.IsTag(value)
            ? EntityTag.StrongEquals(value, validators.ETag)
            : HttpDate.TryParse(ifRange, out DateTimeOffset date) && date == validators.LastModified;
    }
}
