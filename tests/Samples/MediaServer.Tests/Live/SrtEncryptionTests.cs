using MediaServer.Cli;
using MediaServer.Live;
using MediaServer.Tests.Infrastructure;
using ZeroCopy;

namespace MediaServer.Tests.Live;

/// <summary>An SRT ingest with a passphrase (<c>--srt-passphrase-file</c>): only encoders that give it may publish.</summary>
public sealed class SrtEncryptionTests(SrtEncryptionTests.EncryptedSrtServer server) : IClassFixture<SrtEncryptionTests.EncryptedSrtServer>, IDisposable
{
    // libsrt's own reject reasons (SRT_REJECT_REASON in srt/srt.h): the handshake's, before the application's hook.
    private const int RejectBadSecret = 10;   // SRT_REJ_BADSECRET
    private const int RejectUnsecure = 11;    // SRT_REJ_UNSECURE

    public sealed class EncryptedSrtServer : SrtServerFixture
    {
        public const string Passphrase = "correct horse battery";

        internal override MediaServerOptions Configure(MediaServerOptions options) => base.Configure(options) with { SrtPassphrase = Passphrase };
    }

    public void Dispose() => server.Logs.AssertNoFaults();

    [Fact]
    public async Task AnEncoderWithThePassphrasePublishesAndItsBytesArriveDecrypted()
    {
        byte[] stream = MediaFiles.Bytes("clip.ts").AsSpan(0, 200 * 1316).ToArray();
        using SrtCaller caller = await SrtCaller.ConnectAsync(server.SrtEndPoint, $"secret?key={SrtServerFixture.AnyChannelKey}", EncryptedSrtServer.Passphrase);
        Assert.True(caller.Connected, caller.Failure?.Message);

        await caller.SendAsync(stream);

        LiveChannel channel = await LiveHelpers.WaitForChannelAsync(server, "secret", minBytes: stream.Length);
        LiveReader reader = channel.TryAddViewer(new SyncPoint(0)) ?? throw new InvalidOperationException("the channel is gone");
        try
        {
            LiveReadResult read = await reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.True(stream.AsSpan().SequenceEqual(System.Buffers.BuffersExtensions.ToArray(read.Buffer)), "the ring holds other bytes than the encoder sent");
        }
        finally
        {
            channel.RemoveViewer(reader);
        }
    }

    [Theory]
    [InlineData(null, RejectUnsecure)]
    [InlineData("a wrong passphrase", RejectBadSecret)]
    public async Task AnEncoderWithoutThePassphraseIsRejectedAndNothingEntersARing(string? passphrase, int reason)
    {
        using SrtCaller caller = await SrtCaller.ConnectAsync(server.SrtEndPoint, $"plain?key={SrtServerFixture.AnyChannelKey}", passphrase);

        Assert.False(caller.Connected);
        Assert.Equal(reason, caller.RejectReason);
        Assert.DoesNotContain(server.Server.Channels.Snapshot(), c => c.Name == "plain");
    }
}
