using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Headers;
using Microsoft.Net.Http.Headers;

namespace ZeroCopy.AspNetCore;

/// <summary>Evaluates conditional requests (RFC 9110 §13.2.2) from ASP.NET Core's parsed headers.</summary>
internal static class Preconditions
{
    /// <summary>Evaluates the preconditions in the RFC's order. O(number of tags).</summary>
    /// <param name="method">The request method.</param>
    /// <param name="headers">The request's typed headers.</param>
    /// <param name="entityTag">The representation's entity tag, if any.</param>
    /// <param name="lastModified">The representation's last-modified time at whole seconds, if known.</param>
    /// <returns>What to answer.</returns>
    public static PreconditionOutcome Evaluate(string method, RequestHeaders headers, EntityTagHeaderValue? entityTag, DateTimeOffset? lastModified)
    {
        IList<EntityTagHeaderValue> ifMatch = headers.IfMatch;
        if (ifMatch.Count > 0)
        {
            if (!AnyMatches(ifMatch, entityTag, useStrongComparison: true))
            {
                return PreconditionOutcome.Failed;
            }
        }
        else if (headers.IfUnmodifiedSince is { } unmodifiedSince && lastModified > unmodifiedSince)
        {
            return PreconditionOutcome.Failed;
        }

        bool safe = HttpMethods.IsGet(method) || HttpMethods.IsHead(method);
        IList<EntityTagHeaderValue> ifNoneMatch = headers.IfNoneMatch;
        if (ifNoneMatch.Count > 0)
        {
            if (AnyMatches(ifNoneMatch, entityTag, useStrongComparison: false))
            {
                return safe ? PreconditionOutcome.NotModified : PreconditionOutcome.Failed;
            }
        }
        else if (safe && headers.IfModifiedSince is { } modifiedSince && lastModified <= modifiedSince)
        {
            return PreconditionOutcome.NotModified;
        }

        return PreconditionOutcome.Passed;
    }

    /// <summary>Whether a list of tags from a condition matches the representation: <c>*</c> always does (it exists).</summary>
    private static bool AnyMatches(IList<EntityTagHeaderValue> tags, EntityTagHeaderValue? entityTag, bool useStrongComparison)
    {
        foreach (EntityTagHeaderValue tag in tags)
        {
            if (tag.Equals(EntityTagHeaderValue.Any) || (entityTag is not null && tag.Compare(entityTag, useStrongComparison)))
            {
                return true;
            }
        }

        return false;
    }
}
