using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace MediaServer;

/// <summary>What <see cref="SignedToken.Verify"/> found.</summary>
internal enum SignedTokenCheck
{
    /// <summary>The signature matches and the expiry has not passed.</summary>
    Valid,

    /// <summary>The signature does not match (another subject, another secret, a tampered expiry or signature).</summary>
    Invalid,

    /// <summary>The signature matches but the expiry has passed.</summary>
    Expired,
}

/// <summary>
/// Tokens that grant one subject until an expiry, in the style of nginx <c>secure_link</c>: presented as
/// <c>expires=E&amp;token=T</c> with <c>T = base64url(HMAC-SHA256(secret, subject + "\n" + E))</c> without padding and
/// <c>E</c> in Unix seconds (UTC). The subject is a channel name for publishers and a resource path (<c>/videos/NAME</c>,
/// <c>/live/NAME</c>) for viewers; a path starts with <c>/</c> and a channel name cannot, so one secret never signs one
/// for the other. Verification compares in constant time and checks the signature before the expiry.
/// </summary>
internal static class SignedToken
{
    /// <summary>Signs <paramref name="subject"/> until <paramref name="expires"/>. O(subject length).</summary>
    /// <returns>The query string to present: <c>expires=…&amp;token=…</c>.</returns>
    public static string Sign(byte[] secret, string subject, DateTimeOffset expires)
    {
        string expiresText = expires.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return $"expires={expiresText}&token={Base64Url.EncodeToString(Signature(secret, subject, expiresText))}";
    }

    /// <summary>Checks a token for <paramref name="subject"/> at <paramref name="now"/>.</summary>
    /// <param name="expires">The <c>expires</c> value presented, as sent.</param>
    /// <param name="token">The <c>token</c> value presented.</param>
    public static SignedTokenCheck Verify(byte[] secret, string subject, string expires, string token, DateTimeOffset now)
    {
        Span<byte> presented = stackalloc byte[HMACSHA256.HashSizeInBytes + 3];
        bool signed = long.TryParse(expires, NumberStyles.None, CultureInfo.InvariantCulture, out long expiresAt)
            && Base64Url.IsValid(token, out int length) && length == HMACSHA256.HashSizeInBytes
            && Base64Url.TryDecodeFromChars(token, presented, out int written) && written == HMACSHA256.HashSizeInBytes
            && CryptographicOperations.FixedTimeEquals(presented[..written], Signature(secret, subject, expires));
        return !signed ? SignedTokenCheck.Invalid : expiresAt < now.ToUnixTimeSeconds() ? SignedTokenCheck.Expired : SignedTokenCheck.Valid;
    }

    /// <summary>The value of <paramref name="name"/> in a query string (percent-decoded), or <see langword="null"/>.</summary>
    public static string? QueryValue(string query, string name)
    {
        foreach (string part in query.Split('&'))
        {
            int equals = part.IndexOf('=', StringComparison.Ordinal);
            if ((equals < 0 ? part : part[..equals]) == name)
            {
                return equals < 0 ? string.Empty : Uri.UnescapeDataString(part[(equals + 1)..]);
            }
        }

        return null;
    }

    private static byte[] Signature(byte[] secret, string subject, string expires) =>
        HMACSHA256.HashData(secret, Encoding.UTF8.GetBytes(subject + "\n" + expires));
}
