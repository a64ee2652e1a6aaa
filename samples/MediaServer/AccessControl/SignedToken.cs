using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace MediaServer.AccessControl;

/// <summary>
/// Tokens that grant one subject until an expiry, in the style of nginx <c>secure_link</c>: presented as
/// <c>expires=E&amp;token=T</c> with <c>T = base64url(HMAC-SHA256(secret, subject + "\n" + E))</c> without padding and
/// <c>E</c> in Unix seconds (UTC). The subject is a channel name for publishers and a resource path (<c>/videos/NAME</c>,
/// <c>/live/NAME</c>) for viewers; a path starts with <c>/</c> and a channel name cannot, so one secret never signs one
/// for the other. Verification compares in constant time and checks the signature before the expiry.
/// </summary>
internal static class SignedToken
{
    /// <summary>The query parameter that carries the expiry.</summary>
    public const string ExpiresName = "expires";

    /// <summary>The query parameter that carries the signature.</summary>
    public const string TokenName = "token";

    /// <summary>Signs <paramref name="subject"/> until <paramref name="expires"/>. O(subject length).</summary>
    /// <returns>The query string to present: <c>expires=…&amp;token=…</c>.</returns>
    public static string Sign(byte[] secret, string subject, DateTimeOffset expires)
    {
        string expiresText = expires.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        Span<byte> signature = stackalloc byte[HMACSHA256.HashSizeInBytes];
        Sign(secret, subject, expiresText, signature);
        return $"{ExpiresName}={expiresText}&{TokenName}={Base64Url.EncodeToString(signature)}";
    }

    /// <summary>Checks a token for <paramref name="subject"/> at <paramref name="now"/>.</summary>
    /// <param name="expires">The <c>expires</c> value presented, as sent.</param>
    /// <param name="token">The <c>token</c> value presented.</param>
    public static CredentialCheck Verify(byte[] secret, string subject, string expires, string token, DateTimeOffset now)
    {
        Span<byte> presented = stackalloc byte[HMACSHA256.HashSizeInBytes + 3];
        if (!long.TryParse(expires, NumberStyles.None, CultureInfo.InvariantCulture, out long expiresAt)
            || !Base64Url.IsValid(token, out int length) || length != HMACSHA256.HashSizeInBytes
            || !Base64Url.TryDecodeFromChars(token, presented, out int written) || written != HMACSHA256.HashSizeInBytes)
        {
            return CredentialCheck.Invalid;
        }

        Span<byte> expected = stackalloc byte[HMACSHA256.HashSizeInBytes];
        Sign(secret, subject, expires, expected);
        return !CryptographicOperations.FixedTimeEquals(presented[..written], expected) ? CredentialCheck.Invalid
            : expiresAt < now.ToUnixTimeSeconds() ? CredentialCheck.Expired
            : CredentialCheck.Valid;
    }

    /// <summary>
    /// Finds a presented token in a parsed query (<see cref="Http.RequestTarget"/>): both <c>expires</c> and <c>token</c>, or
    /// neither. A query that names either twice never gets here: the parser refuses it.
    /// </summary>
    /// <returns><see langword="false"/> when either is missing.</returns>
    public static bool TryFind(IReadOnlyDictionary<string, string> query, [NotNullWhen(true)] out string? expires, [NotNullWhen(true)] out string? token)
    {
        token = null;
        return query.TryGetValue(ExpiresName, out expires) && query.TryGetValue(TokenName, out token);
    }

    /// <summary>
    /// Writes <c>HMAC-SHA256(secret, subject + "\n" + expires)</c> into <paramref name="signature"/>. Nothing is allocated
    /// for a subject of a usual length: every signed request pays this.
    /// </summary>
    private static void Sign(byte[] secret, string subject, string expires, Span<byte> signature)
    {
        int length = Encoding.UTF8.GetByteCount(subject) + 1 + Encoding.UTF8.GetByteCount(expires);
        Span<byte> text = length <= 512 ? stackalloc byte[512] : new byte[length];
        int subjectLength = Encoding.UTF8.GetBytes(subject, text);
        text[subjectLength] = (byte)'\n';
        Encoding.UTF8.GetBytes(expires, text[(subjectLength + 1)..]);
        HMACSHA256.HashData(secret, text[..length], signature);
    }
}
