using MediaServer.Http;

namespace MediaServer.Endpoints;

/// <summary>
/// Signed URLs for viewers (<c>--viewer-secret-file</c>): in front of the router, a GET or HEAD of one video or one live
/// channel, or of anything below it (<c>/videos/NAME/chunk</c>), needs <c>?expires=E&amp;token=T</c> signed for the
/// resource's path, <c>/videos/NAME</c> or <c>/live/NAME</c> (see <see cref="SignedToken"/>); otherwise 403. The page,
/// the lists and publishing (which has its own credentials) pass through.
/// </summary>
internal sealed class SignedViewerGate(IHttpHandler next, byte[] secret, TimeProvider? time = null) : IHttpHandler
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>
    /// A signed URL's query (<c>?expires=…&amp;token=…</c>) to carry into the URIs a playlist lists (live segments and parts,
    /// a video's byte ranges): players resolve those against the playlist's URL without its query, and the token that
    /// admitted the playlist covers everything below <c>/live/NAME</c> or <c>/videos/NAME</c>. Empty when the request has none.
    /// </summary>
    public static string QueryForLinks(Dictionary<string, string> query) =>
        query.TryGetValue("expires", out string? expires) && query.TryGetValue("token", out string? token)
            ? $"?expires={Uri.EscapeDataString(expires)}&token={Uri.EscapeDataString(token)}"
            : "";

    public ValueTask HandleAsync(HttpExchange exchange)
    {
        HttpRequest request = exchange.Request;
        if (request.Method is not ("GET" or "HEAD") || !RequestPath.TrySplit(request.Path, out string[] segments)
            || segments is not [("videos" or "live") and var kind, { Length: > 0 } name, ..])
        {
            return next.HandleAsync(exchange); // Not a viewer of one resource (or a malformed path, which the router answers).
        }

        string subject = "/" + kind + "/" + name;
        string? expires = SignedToken.QueryValue(request.Query, "expires"), token = SignedToken.QueryValue(request.Query, "token");
        SignedTokenCheck check = expires is null || token is null ? SignedTokenCheck.Invalid : SignedToken.Verify(secret, subject, expires, token, _time.GetUtcNow());
        return check switch
        {
            SignedTokenCheck.Valid => next.HandleAsync(exchange),
            SignedTokenCheck.Expired => exchange.SendErrorAsync(HttpStatus.Forbidden, "the signed URL has expired"),
            _ => exchange.SendErrorAsync(HttpStatus.Forbidden, expires is null || token is null
                ? $"{subject} needs a signed URL (?expires=…&token=…)"
                : $"the signed URL is not valid for {subject}"),
        };
    }
}
