namespace MediaServer.Http;

/// <summary>What <see cref="HttpRequestParser.Parse"/> made of the bytes received so far.</summary>
internal enum HttpParseStatus
{
    /// <summary>The head is not complete yet and nothing is wrong so far: receive more.</summary>
    Incomplete,

    /// <summary>A whole, valid head was parsed.</summary>
    Complete,

    /// <summary>The bytes are not a valid request head (or exceed a limit); answer with the error status and close.</summary>
    Invalid,
}

/// <summary>The outcome of parsing a request head: a request and its length, or an error status with a reason.</summary>
internal readonly struct HttpParseResult
{
    private HttpParseResult(HttpParseStatus status, HttpRequest? request, int headLength, int errorStatus, string? error)
    {
        Status = status;
        Request = request;
        HeadLength = headLength;
        ErrorStatus = errorStatus;
        Error = error;
    }

    public static HttpParseResult Incomplete => default;

    public HttpParseStatus Status { get; }

    /// <summary>The request, when <see cref="Status"/> is <see cref="HttpParseStatus.Complete"/>.</summary>
    public HttpRequest? Request { get; }

    /// <summary>How many bytes the head took, up to and including the blank line (and any CRLFs before the request line).</summary>
    public int HeadLength { get; }

    /// <summary>The status to answer with, when <see cref="Status"/> is <see cref="HttpParseStatus.Invalid"/>.</summary>
    public int ErrorStatus { get; }

    /// <summary>Why the head is invalid, for the log and the response body.</summary>
    public string? Error { get; }

    public static HttpParseResult Complete(HttpRequest request, int headLength) =>
        new(HttpParseStatus.Complete, request, headLength, 0, null);

    public static HttpParseResult Invalid(int status, string error) =>
        new(HttpParseStatus.Invalid, null, 0, status, error);
}
