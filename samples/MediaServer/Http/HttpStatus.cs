namespace MediaServer.Http;

/// <summary>The status codes the server sends, with their reason phrases.</summary>
internal static class HttpStatus
{
    public const int Continue = 100;
    public const int Ok = 200;
    public const int NoContent = 204;
    public const int PartialContent = 206;
    public const int NotModified = 304;
    public const int BadRequest = 400;
    public const int Forbidden = 403;
    public const int NotFound = 404;
    public const int MethodNotAllowed = 405;
    public const int RequestTimeout = 408;
    public const int Conflict = 409;
    public const int Gone = 410;
    public const int PreconditionFailed = 412;
    public const int ContentTooLarge = 413;
    public const int UriTooLong = 414;
    public const int RangeNotSatisfiable = 416;
    public const int HeaderFieldsTooLarge = 431;
    public const int InternalServerError = 500;
    public const int NotImplemented = 501;
    public const int ServiceUnavailable = 503;
    public const int VersionNotSupported = 505;

    /// <summary>The reason phrase of <paramref name="status"/> (RFC 9110 section 15).</summary>
    public static string ReasonPhrase(int status) => status switch
    {
        Continue => "Continue",
        Ok => "OK",
        NoContent => "No Content",
        PartialContent => "Partial Content",
        NotModified => "Not Modified",
        BadRequest => "Bad Request",
        Forbidden => "Forbidden",
        NotFound => "Not Found",
        MethodNotAllowed => "Method Not Allowed",
        RequestTimeout => "Request Timeout",
        Conflict => "Conflict",
        Gone => "Gone",
        PreconditionFailed => "Precondition Failed",
        ContentTooLarge => "Content Too Large",
        UriTooLong => "URI Too Long",
        RangeNotSatisfiable => "Range Not Satisfiable",
        HeaderFieldsTooLarge => "Request Header Fields Too Large",
        InternalServerError => "Internal Server Error",
        NotImplemented => "Not Implemented",
        ServiceUnavailable => "Service Unavailable",
        VersionNotSupported => "HTTP Version Not Supported",
        _ => "Unknown",
    };
}
