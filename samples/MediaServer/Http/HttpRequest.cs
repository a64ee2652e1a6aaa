using System.Diagnostics;

namespace MediaServer.Http;

/// <summary>A parsed request head: the request line and the header fields. The body, if any, is still on the socket.</summary>
[DebuggerDisplay("{Method,nq} {Target,nq} HTTP/1.{IsHttp11 ? 1 : 0,nq}")]
internal sealed class HttpRequest
{
    public HttpRequest(string method, string target, bool isHttp11, IReadOnlyList<HttpHeader> headers, long? contentLength, bool isChunked)
    {
        Method = method;
        Target = target;
        IsHttp11 = isHttp11;
        Headers = headers;
        ContentLength = contentLength;
        IsChunked = isChunked;

        int query = target.IndexOf('?', StringComparison.Ordinal);
        Path = query < 0 ? target : target[..query];
        Query = query < 0 ? string.Empty : target[(query + 1)..];
    }

    /// <summary>The method token, case-sensitive (<c>GET</c>, <c>HEAD</c>, <c>PUT</c>…).</summary>
    public string Method { get; }

    /// <summary>The request target in origin form, as sent: <c>/videos/clip.mp4?x=1</c>.</summary>
    public string Target { get; }

    /// <summary>
    /// The target for a log line: the credentials a publisher or viewer may carry in the query (<c>key</c>, <c>token</c>)
    /// replaced by <c>***</c>, so that logs never hold a secret.
    /// </summary>
    public string LoggableTarget => Query.Length == 0 ? Target : Path + "?" + RequestTarget.MaskQuery(Query, "key", "token");

    /// <summary>The target's path, still percent-encoded.</summary>
    public string Path { get; }

    /// <summary>The target's query without the <c>?</c>, still percent-encoded; empty when there is none.</summary>
    public string Query { get; }

    /// <summary><see langword="true"/> for HTTP/1.1, <see langword="false"/> for HTTP/1.0.</summary>
    public bool IsHttp11 { get; }

    /// <summary>The header fields in the order they were sent.</summary>
    public IReadOnlyList<HttpHeader> Headers { get; }

    /// <summary>The Content-Length, when the request has one.</summary>
    public long? ContentLength { get; }

    /// <summary>Whether the body is sent with <c>Transfer-Encoding: chunked</c>.</summary>
    public bool IsChunked { get; }

    /// <summary>Whether the request carries a body (a positive Content-Length, or chunked).</summary>
    public bool HasBody => IsChunked || ContentLength > 0;

    /// <summary>Whether the client is willing to reuse the connection: HTTP/1.1 unless <c>Connection: close</c>.</summary>
    public bool KeepAlive => IsHttp11 && !HasConnectionOption("close");

    /// <summary>Whether the client sent <c>Expect: 100-continue</c>.</summary>
    public bool ExpectsContinue => string.Equals(GetHeader("Expect"), "100-continue", StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether the method is HEAD (answer with the headers of a GET, without the body).</summary>
    public bool IsHead => Method == "HEAD";

    /// <summary>The value of the first header field named <paramref name="name"/> (case-insensitive), or <see langword="null"/>.</summary>
    public string? GetHeader(string name)
    {
        foreach (HttpHeader header in Headers)
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
        foreach (HttpHeader header in Headers)
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
