using System.Net;
using System.Text;
using MediaServer.AccessControl;
using MediaServer.Live;
using MediaServer.Tests.Infrastructure;

namespace MediaServer.Tests.AccessControl;

public sealed class PublishCredentialsTests
{
    private static readonly byte[] s_secret = Encoding.UTF8.GetBytes("a-secret-of-at-least-16-bytes");
    private static readonly Dictionary<string, string> s_keys = new() { ["cam1"] = "cam1-key-123", ["*"] = "master-key-456" };
    private static readonly PublishCredentials s_required = new(required: true, s_keys, s_secret);

    [Theory]
    [InlineData("cam1", "key=cam1-key-123")]
    [InlineData("cam1", "key=master-key-456")] // the * key is good for any channel
    [InlineData("other", "key=master-key-456")]
    [InlineData("cam1", "x=1&key=cam1%2Dkey%2D123")] // percent-encoded, among other parameters
    public void AMatchingStreamKeyIsAccepted(string channel, string credential) =>
        Assert.Equal(CredentialCheck.Valid, s_required.Check(channel, credential));

    [Theory]
    [InlineData("other", "key=cam1-key-123")] // cam1's key does not open another channel
    [InlineData("cam1", "key=cam1-key-12")]
    [InlineData("cam1", "key=")]
    [InlineData("cam1", "key=CAM1-KEY-123")]
    public void AWrongStreamKeyIsRefused(string channel, string credential) =>
        Assert.Equal(CredentialCheck.Invalid, s_required.Check(channel, credential));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("expires=123")]
    [InlineData("foo=bar")]
    public void NoCredentialIsMissing(string? credential) =>
        Assert.Equal(CredentialCheck.Missing, s_required.Check("cam1", credential));

    [Fact]
    public void ASignedTokenIsAcceptedUntilItExpires()
    {
        var clock = new ManualClock(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));
        var credentials = new PublishCredentials(required: true, new Dictionary<string, string>(), s_secret, clock);
        string token = PublishCredentials.Sign(s_secret, "cam9", clock.GetUtcNow().AddMinutes(10));

        Assert.Equal(CredentialCheck.Valid, credentials.Check("cam9", token));
        clock.Now = clock.Now.AddMinutes(10);
        Assert.Equal(CredentialCheck.Valid, credentials.Check("cam9", token)); // valid through its expiry second
        clock.Now = clock.Now.AddSeconds(1);
        Assert.Equal(CredentialCheck.Expired, credentials.Check("cam9", token));
    }

    [Fact]
    public void ATamperedTokenIsInvalidNotExpired()
    {
        string token = PublishCredentials.Sign(s_secret, "cam9", DateTimeOffset.UtcNow.AddMinutes(-1));
        Assert.Equal(CredentialCheck.Expired, s_required.Check("cam9", token));

        // Pushing the expiry forward breaks the signature.
        string later = "expires=" + (DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds()) + token[token.IndexOf('&', StringComparison.Ordinal)..];
        Assert.Equal(CredentialCheck.Invalid, s_required.Check("cam9", later));

        // Another channel, a flipped signature character, a truncated or an over-long signature.
        string fresh = PublishCredentials.Sign(s_secret, "cam9", DateTimeOffset.UtcNow.AddMinutes(5));
        int at = fresh.Length - 5;
        string flipped = fresh[..at] + (fresh[at] == 'A' ? 'B' : 'A') + fresh[(at + 1)..];
        Assert.Equal(CredentialCheck.Invalid, s_required.Check("cam8", fresh));
        Assert.Equal(CredentialCheck.Invalid, s_required.Check("cam9", flipped));
        Assert.Equal(CredentialCheck.Invalid, s_required.Check("cam9", fresh[..^2]));
        Assert.Equal(CredentialCheck.Invalid, s_required.Check("cam9", fresh + "AAAA"));
        Assert.Equal(CredentialCheck.Invalid, s_required.Check("cam9", fresh.Replace("token=", "token=%", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("key=cam1-key-123&key=cam1-key-123")] // a repeated name, even with the same value
    [InlineData("key=cam1-key-123&key=wrong-key-000")]
    [InlineData("key=wrong-key-000&key=cam1-key-123")] // neither the first nor the last is taken
    [InlineData("key=cam1-key-123&x=%zz")] // a bad escape anywhere
    [InlineData("key=cam1%2")]
    public void AMalformedCredentialIsInvalid(string credential) =>
        Assert.Equal(CredentialCheck.Invalid, s_required.Check("cam1", credential));

    [Fact]
    public void ARepeatedExpiresOrTokenIsInvalid()
    {
        string token = PublishCredentials.Sign(s_secret, "cam9", DateTimeOffset.UtcNow.AddMinutes(5));
        Assert.Equal(CredentialCheck.Valid, s_required.Check("cam9", token));
        string expires = token[..token.IndexOf('&', StringComparison.Ordinal)], signature = token[(token.IndexOf('&', StringComparison.Ordinal) + 1)..];
        Assert.Equal(CredentialCheck.Invalid, s_required.Check("cam9", token + "&" + expires));
        Assert.Equal(CredentialCheck.Invalid, s_required.Check("cam9", token + "&" + signature));
        Assert.Equal(CredentialCheck.Invalid, s_required.Check("cam9", "expires=1&" + token));
    }

    [Fact]
    public void APlusInAKeyIsSentEscapedBecauseAPlainPlusIsASpace()
    {
        var credentials = new PublishCredentials(required: true, new Dictionary<string, string> { ["cam1"] = "plus+key-123" }, secret: null);
        Assert.Equal(CredentialCheck.Valid, credentials.Check("cam1", "key=plus%2Bkey-123"));
        Assert.Equal(CredentialCheck.Invalid, credentials.Check("cam1", "key=plus+key-123"));

        var spaced = new PublishCredentials(required: true, new Dictionary<string, string> { ["cam1"] = "a key with spaces" }, secret: null);
        Assert.Equal(CredentialCheck.Valid, spaced.Check("cam1", "key=a+key+with%20spaces"));
    }

    [Fact]
    public void ATokenSignedWithAnotherSecretIsInvalid()
    {
        string token = PublishCredentials.Sign(Encoding.UTF8.GetBytes("another-secret-of-16-bytes"), "cam9", DateTimeOffset.UtcNow.AddMinutes(5));
        Assert.Equal(CredentialCheck.Invalid, s_required.Check("cam9", token));
        Assert.Equal(CredentialCheck.Invalid, new PublishCredentials(required: true, s_keys, secret: null).Check("cam9", token));
    }

    [Fact]
    public void WhenNotRequiredAnyoneMayPublish()
    {
        var open = new PublishCredentials(required: false, s_keys, s_secret);
        Assert.Equal(CredentialCheck.Valid, open.Check("cam1", null));
        Assert.Equal(CredentialCheck.Valid, open.Check("cam1", "key=wrong-key-at-all"));
    }

    [Theory]
    [InlineData(nameof(PublishAuth.Auto), "127.0.0.1", false)]
    [InlineData(nameof(PublishAuth.Auto), "::1", false)]
    [InlineData(nameof(PublishAuth.Auto), "0.0.0.0", true)]
    [InlineData(nameof(PublishAuth.Auto), "::", true)]
    [InlineData(nameof(PublishAuth.Auto), "192.168.1.10", true)]
    [InlineData(nameof(PublishAuth.Required), "127.0.0.1", true)]
    [InlineData(nameof(PublishAuth.Off), "0.0.0.0", false)]
    public void CredentialsAreRequiredByDefaultBeyondLoopback(string auth, string host, bool required) =>
        Assert.Equal(required, Enum.Parse<PublishAuth>(auth).IsRequiredOn(IPAddress.Parse(host)));

    [Theory]
    [InlineData("cam1 key-of-cam1\n# comment\n\n* any-channel-key", 2)]
    [InlineData("  cam1\tkey-of-cam1  ", 1)]
    public void AStreamKeyFileHoldsOnePairPerLine(string text, int count) =>
        Assert.Equal(count, PublishCredentials.ParseStreamKeys(text.Split('\n'), "keys").Count);

    [Theory]
    [InlineData("cam1")]
    [InlineData("cam1 short")]
    [InlineData("bad/name key-of-cam1")]
    [InlineData("cam1 key-of-cam1 extra")]
    public void AMalformedStreamKeyLineNamesItsLine(string line) =>
        Assert.Contains("keys:2:", Assert.Throws<InvalidDataException>(() => PublishCredentials.ParseStreamKeys(["# first", line], "keys")).Message, StringComparison.Ordinal);
}
