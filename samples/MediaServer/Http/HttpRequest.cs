using System.Diagnostics;

namespace MediaServer.Http;

/// <summary>
/// A parsed request head: the request line and the header fields. The body, if any, is still on the socket. A
/// connection refills one instance for each of its heads (<see cref="HttpRequestParser.Parse"/> with <c>reuse</c>), so a
/// request is valid until its handler returns.
/// </summary>
[DebuggerDisplay("{Method,nq} {Target,nq} HTTP/1.{IsHttp11 ? 1 : 0,nq}")]
internal sealed class HttpRequest
{
    private readonly List<HttpHeader> _fields = [];

    /// <summary>An empty request, <c>GET / HTTP/1.1</c> with no fields, for the parser to fill (and a connection to refill with each head it parses).</summary>
    internal HttpRequest() => Reset("GET", "/", isHttp11: true, contentLength: null, isChunked: false);

    /// <summary>The method token, case-sensitive (<c>GET</c>, <c>HEAD</c>, <c>PUT</c>…).</summary>
    public string Method { get; private set; } = string.Empty;

    /// <summary>The request target in origin form, as sent: <c>/videos/clip.mp4?x=1</c>.</summary>
    public string Target { get; private set; } = string.Empty;

    /// <summary>
    /// The target for a log line: the credentials a publisher or viewer may carry in the query (<c>key</c>, <c>token</c>)
    /// replaced by <c>***</c>, so that logs never hold a secret.
    /// </summary>
    public string LoggableTarget => Query.Length == 0 ? Target : Path + "?" + RequestTarget.MaskQuery(Query, "key", "token");

    /// <summary>The target's path, still percent-encoded.</summary>
    public string Path { get; private set; } = string.Empty;

    /// <summary>The target's query without the <c>?</c>, still percent-encoded; empty when there is none.</summary>
    public string Query { get; private set; } = string.Empty;

    /// <summary><see langword="true"/> for HTTP/1.1, <see langword="false"/> for HTTP/1.0.</summary>
    public bool IsHttp11 { get; private set; }

    /// <summary>The header fields in the order they were sent.</summary>
    public IReadOnlyList<HttpHeader> Headers => _fields;

    /// <summary>The Content-Length, when the request has one.</summary>
    public long? ContentLength { get; private set; }

    /// <summary>Whether the body is sent with <c>Transfer-Encoding: chunked</c>.</summary>
    public bool IsChunked { get; private set; }

    /// <summary>Whether the request carries a body (a positive Content-Length, or chunked).</summary>
    public bool HasBody => IsChunked || ContentLength > 0;

    /// <summary>Whether the client is willing to reuse the connection: HTTP/1.1 unless <c>Connection: close</c>.</summary>
    public bool KeepAlive => IsHttp11 && !HasConnectionOption("close");

    /// <summary>Whether the client sent <c>Expect: 100-continue</c>.</summary>
    public bool ExpectsContinue => string.Equals(GetHeader("Expect"), "100-continue", StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether the method is HEAD (answer with the headers of a GET, without the body).</summary>
    public bool IsHead => Method == "HEAD";

    /// <summary>The field list, emptied, for the parser to fill with the next head's fields.</summary>
    internal List<HttpHeader> ClearFields()
    {
        _fields.Clear();
        return _fields;
    }

    /// <summary>
    /// Sets the request line and framing of the next head (its fields are already in <see cref="ClearFields"/>'s list).
    /// The path and query are cut again only when the target is another string than the last one's, the path through
    /// <paramref name="strings"/> when given (a playlist reloaded with another query keeps its path's string).
    /// </summary>
    internal void Reset(string method, string target, bool isHttp11, long? contentLength, bool isChunked, RecentStrings? strings = null)
    {
        Method = method;
        IsHttp11 = isHttp11;
        ContentLength = contentLength;
        IsChunked = isChunked;
        if (!ReferenceEquals(target, Target))
        {
            Target = target;
            int query = target.IndexOf('?', StringComparison.Ordinal);
            Path = query < 0 ? target : strings?.Get(target.AsSpan(0, query)) ?? target[..query];
            Query = query < 0 ? string.Empty : target[(query + 1)..];
        }
    }

    /// <summary>The value of the first header field named <paramref name="name"/> (case-insensitive), or <see langword="null"/>.</summary>
    public string? GetHeader(string name)
    {
        foreach (HttpHeader header in _fields)
        {
            if (string.Equals(header.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return header.Value;
            }
        }

        return null;
    }

    /// <summary>Whether any Connection field lists <paramref name="option"/> (case-insensitive).</summary>
    public bool HasConnectionOption(string option)
    {
        foreach (HttpHeader header in _fields)
        {
            if (!string.Equals(header.Name, "Connection", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            foreach (string token in header.Value.Split(',', StringSplitOptions.TrimEntries))
            {
                if (string.Equals(token, option, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>The request line, for logs; never throws.</summary>
    public override string ToString() => $"{Method} {Target} HTTP/1.{(IsHttp11 ? 1 : 0)}";
}
