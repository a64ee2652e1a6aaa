using MediaServer.Live;

namespace MediaServer.Tests.Srt;

public class SrtStreamIdTests
{
    [Theory]
    [InlineData("cam", "cam", null)]
    [InlineData("cam?key=secret-key", "cam", "key=secret-key")]
    [InlineData("cam?expires=1700000000&token=abc", "cam", "expires=1700000000&token=abc")]
    [InlineData("#!::r=cam,k=secret-key", "cam", "key=secret-key")]
    [InlineData("#!::k=a&b=c,r=cam,m=publish,u=obs,s=123", "cam", "key=a%26b%3Dc")] // a key with & and = stays one value
    [InlineData("#!::r=cam", "cam", null)]
    [InlineData("cam?", "cam", null)]
    public void UnderstandsBothSpellings(string streamId, string channel, string? credential)
    {
        Assert.True(SrtStreamId.TryParse(streamId, out SrtStreamId parsed, out string? failure), failure);

        Assert.Equal(channel, parsed.Channel);
        Assert.Equal(credential, parsed.Credential);
    }

    [Theory]
    [InlineData("", "names no channel")]
    [InlineData("?key=k", "names no channel")]
    [InlineData("#!::k=secret", "names no channel")]
    [InlineData("#!::r=cam,r=other", "'r' appears twice")]
    [InlineData("#!::r=cam,k=a,k=b", "'k' appears twice")]
    [InlineData("#!::r=cam,m=request", "mode m=request")]
    [InlineData("#!::r=cam,x=1", "key 'x' is not supported")]
    [InlineData("#!::r=cam,broken", "'broken' in the stream id is not KEY=VALUE")]
    [InlineData("ca m", "'ca m' is not a channel name")]
    [InlineData(".hidden", "'.hidden' is not a channel name")]
    public void RefusesWhatItCannotRead(string streamId, string reason)
    {
        Assert.False(SrtStreamId.TryParse(streamId, out _, out string? failure));

        Assert.Contains(reason, failure);
    }
}
