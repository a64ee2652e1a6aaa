using System.Diagnostics;

namespace MediaServer.Http;

/// <summary>
/// A representation's validator fields (RFC 9110 section 8.8): what <c>ETag</c> and <c>Last-Modified</c> send and what
/// <see cref="Preconditions"/> compares the conditions with. Made once per representation; the date is formatted once.
/// </summary>
[DebuggerDisplay("{ETag,nq} {LastModifiedText,nq}")]
internal sealed class Validators
{
    /// <summary>Validators of a strong tag and a date.</summary>
    /// <param name="etag">The strong entity tag, quoted (<c>"abc"</c>).</param>
    /// <param name="lastModified">The last modification, at whole seconds (the precision of an HTTP date).</param>
    public Validators(string etag, DateTimeOffset lastModified)
    {
        Debug.Assert(etag.Length >= 2 && etag[0] == '"' && etag[^1] == '"', $"not a strong entity tag: {etag}");
        Debug.Assert(lastModified.Ticks % TimeSpan.TicksPerSecond == 0, $"not at whole seconds: {lastModified:O}");
        ETag = etag;
        LastModified = lastModified;
        LastModifiedText = HttpDate.Format(lastModified);
    }

    /// <summary>The strong entity tag, quoted, as the <c>ETag</c> field carries it.</summary>
    public string ETag { get; }

    /// <summary>The last modification at whole seconds, which the date conditions compare with.</summary>
    public DateTimeOffset LastModified { get; }

    /// <summary>The last modification as an IMF-fixdate, as the <c>Last-Modified</c> field carries it.</summary>
    public string LastModifiedText { get; }

    /// <summary>Adds <c>ETag</c> and <c>Last-Modified</c> to <paramref name="head"/>.</summary>
    /// <returns><paramref name="head"/>, for chaining.</returns>
    public ResponseHead AddTo(ResponseHead head) => head.Add("ETag", ETag).Add("Last-Modified", LastModifiedText);
}
