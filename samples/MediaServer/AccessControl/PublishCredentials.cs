using System.Security.Cryptography;
using System.Text;
using MediaServer.Http;
using MediaServer.Live;

namespace MediaServer.AccessControl;

/// <summary>
/// Who may publish a live channel: stream keys (one per channel, or <c>*</c> for any channel) and tokens signed with a
/// secret that expire, in the style of nginx <c>secure_link</c>. A publisher presents them as a query string, on the
/// PUT's URL (<c>/live/cam1?key=K</c>, <c>/live/cam1?expires=E&amp;token=T</c>) or as the first line of a raw TCP push.
/// Every comparison takes the same time whatever the bytes compared (<see cref="CryptographicOperations.FixedTimeEquals"/>).
/// The credential is read by <see cref="RequestTarget"/>'s rules: a malformed one (a bad escape, a repeated name) is
/// invalid, and a key that holds <c>+</c>, <c>%</c> or <c>&amp;</c> is presented percent-encoded.
/// </summary>
/// <remarks>
/// A token is a <see cref="SignedToken"/> whose subject is the channel name. The signature is checked before the expiry,
/// so a tampered expiry is refused as invalid, not as expired.
/// </remarks>
internal sealed class PublishCredentials
{
    /// <summary>The longest credential accepted (a query string or a raw TCP first line).</summary>
    public const int MaxLength = 512;

    /// <summary>The query parameter that carries a stream key.</summary>
    public const string KeyName = "key";

    private readonly Dictionary<string, byte[]> _keyHashes; // SHA-256 of each channel's key: equal lengths for the comparison.
    private readonly byte[]? _secret;
    private readonly TimeProvider _time;

    /// <param name="required">Whether publishers must present a credential; when not, everyone may publish.</param>
    /// <param name="streamKeys">The stream key of each channel name; the name <c>*</c> holds a key good for any channel.</param>
    /// <param name="secret">The secret that signs tokens; <see langword="null"/> when tokens are not accepted.</param>
    /// <param name="time">The clock that tokens expire by; the system clock by default.</param>
    public PublishCredentials(bool required, IReadOnlyDictionary<string, string> streamKeys, byte[]? secret, TimeProvider? time = null)
    {
        IsRequired = required;
        _keyHashes = streamKeys.ToDictionary(pair => pair.Key, pair => SHA256.HashData(Encoding.UTF8.GetBytes(pair.Value)), StringComparer.Ordinal);
        _secret = secret;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>No credential needed: anyone may publish.</summary>
    public static PublishCredentials Open { get; } = new(required: false, new Dictionary<string, string>(), secret: null);

    /// <summary>Whether publishers must present a credential.</summary>
    public bool IsRequired { get; }

    /// <summary>The number of stream keys configured.</summary>
    public int StreamKeyCount => _keyHashes.Count;

    /// <summary>Whether signed tokens are accepted (a secret is configured).</summary>
    public bool AcceptsTokens => _secret is not null;

    /// <summary>
    /// Checks the credential presented for publishing <paramref name="channel"/>. O(length of the credential).
    /// </summary>
    /// <param name="channel">The channel to publish.</param>
    /// <param name="credential">A query string (<c>key=…</c>, or <c>expires=…&amp;token=…</c>); <see langword="null"/> when none was presented.</param>
    /// <returns><see cref="CredentialCheck.Valid"/> when publishing is allowed (or needs no credential), else why not.</returns>
    public CredentialCheck Check(string channel, string? credential)
    {
        if (!IsRequired)
        {
            return CredentialCheck.Valid;
        }

        if (string.IsNullOrEmpty(credential))
        {
            return CredentialCheck.Missing;
        }

        if (credential.Length > MaxLength)
        {
            return CredentialCheck.Invalid;
        }

        if (!RequestTarget.TryParseQuery(credential, out IReadOnlyDictionary<string, string> query))
        {
            return CredentialCheck.Invalid; // A bad escape or a repeated name (key=…&key=…): read no way at all.
        }

        if (query.TryGetValue(KeyName, out string? key))
        {
            return MatchesKey(channel, key) ? CredentialCheck.Valid : CredentialCheck.Invalid;
        }

        if (!SignedToken.TryFind(query, out string? expires, out string? token))
        {
            return CredentialCheck.Missing;
        }

        return _secret is null ? CredentialCheck.Invalid : SignedToken.Verify(_secret, channel, expires, token, _time.GetUtcNow());
    }

    /// <summary>Signs a token for publishing <paramref name="channel"/> until <paramref name="expires"/>, as <see cref="Check"/> verifies it.</summary>
    /// <returns>The query string to present: <c>expires=…&amp;token=…</c>.</returns>
    public static string Sign(byte[] secret, string channel, DateTimeOffset expires) => SignedToken.Sign(secret, channel, expires);

    /// <summary>
    /// Reads a stream key file: one <c>channel key</c> pair per line (<c>*</c> as the channel for a key good for any),
    /// blank lines and lines starting with <c>#</c> ignored.
    /// </summary>
    /// <exception cref="InvalidDataException">A line is not a channel name (or <c>*</c>) and a key of at least 8 characters.</exception>
    public static Dictionary<string, string> ParseStreamKeys(IEnumerable<string> lines, string source)
    {
        var keys = new Dictionary<string, string>(StringComparer.Ordinal);
        int number = 0;
        foreach (string raw in lines)
        {
            number++;
            string line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            string[] parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 2 || !(parts[0] == "*" || ChannelName.IsValid(parts[0])) || parts[1].Length < 8)
            {
                throw new InvalidDataException($"{source}:{number}: expected 'CHANNEL KEY' (CHANNEL a channel name or *, KEY at least 8 characters)");
            }

            keys[parts[0]] = parts[1];
        }

        return keys;
    }

    private bool MatchesKey(string channel, string key)
    {
        // Hashes have equal lengths, so the comparison's time says nothing about the key's length or its first bytes.
        byte[] presented = SHA256.HashData(Encoding.UTF8.GetBytes(key));
        bool forChannel = _keyHashes.TryGetValue(channel, out byte[]? channelKey) && CryptographicOperations.FixedTimeEquals(presented, channelKey);
        bool forAny = _keyHashes.TryGetValue("*", out byte[]? anyKey) && CryptographicOperations.FixedTimeEquals(presented, anyKey);
        return forChannel | forAny;
    }
}
