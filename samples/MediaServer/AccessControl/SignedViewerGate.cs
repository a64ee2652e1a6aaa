using MediaServer.Endpoints;
using MediaServer.Http;

namespace MediaServer.AccessControl;

/// <summary>
/// Signed URLs for viewers (<c>--viewer-secret-file</c>): in front of the router, a GET or HEAD of one video or one live
/// channel, or of anything below it (<c>/videos/NAME/chunk</c>; <see cref="Routes.SignedScopes"/>), needs <c>?expires=E&amp;token=T</c> signed for the
/// resource's path, <c>/videos/NAME</c> or <c>/live/NAME</c> (see <see cref="SignedToken"/>); otherwise 403. The page,
/// the lists and publishing (which has its own credentials) pass through. The query is read by
/// <see cref="RequestTarget"/>'s rules: a malformed one (a bad escape, <c>expires</c> or <c>token</c> given twice) is
/// refused with 403, never read as its first or last value.
/// </summary>
internal sealed class SignedViewerGate(IHttpHandler next, byte[] secret, TimeProvider? time = null) : IHttpHandler
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>
    /// A signed URL's query (<c>?expires=…&amp;token=…</c>) to carry into the URIs a playlist lists (live segments and parts,
    /// a video's byte ranges): players resolve those against the playlist's URL without its query, and the token that
    /// admitted the playlist covers everything below <c>/live/NAME</c> or <c>/videos/NAME</c>. Empty when the request has none.
    /// </summary>
    public static string QueryForLinks(IReadOnlyDictionary<string, string> query) =>
        SignedToken.TryFind(query, out string? expires, out string? token)
            ? $"?{SignedToken.ExpiresName}={Uri.EscapeDataString(expires)}&{SignedToken.TokenName}={Uri.EscapeDataString(token)}"
            : "";

    public ValueTask HandleAsync(HttpExchange exchange)
    {
        HttpRequest request = exchange.Request;
        if (request.Method is not ("GET" or "HEAD") || !RoutedPath.Of(exchange).TryGetSignedSubject(out string subject))
        {
            return next.HandleAsync(exchange); // Not a viewer of one resource (or a malformed path, which the router answers).
        }

        if (!exchange.TryParseQuery(out IReadOnlyDictionary<string, string> query))
        {
            return exchange.SendErrorAsync(HttpStatus.Forbidden, $"the signed URL for {subject} has a malformed query (a bad percent-escape or a repeated name)");
        }

        bool presented = SignedToken.TryFind(query, out string? expires, out string? token);
        CredentialCheck check = presented ? SignedToken.Verify(secret, subject, expires!, token!, _time.GetUtcNow()) : CredentialCheck.Missing;
        return check switch
        {
            CredentialCheck.Valid => next.HandleAsync(exchange),
            CredentialCheck.Expired => exchange.SendErrorAsync(HttpStatus.Forbidden, "the signed URL has expired"),
            CredentialCheck.Missing => exchange.SendErrorAsync(HttpStatus.Forbidden, $"{subject} needs a signed URL (?expires=…&token=…)"),
            _ => exchange.SendErrorAsync(HttpStatus.Forbidden, $"the signed URL is not valid for {subject}"),
        };
    }
}
