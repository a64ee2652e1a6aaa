using MediaServer.Media;

namespace MediaServer.Tests.Media;

public sealed class TimecodeTests
{
    [Theory]
    [InlineData("00:00:30:00", 0, 0, 30, 0)]
    [InlineData("01:02:03:04", 1, 2, 3, 4)]
    [InlineData("1:02:03:4", 1, 2, 3, 4)]
    [InlineData("100:59:59:119", 100, 59, 59, 119)]
    public void ParsesHoursMinutesSecondsFrames(string text, int hours, int minutes, int seconds, int frames)
    {
        Assert.True(Timecode.TryParse(text, out Timecode timecode));
        Assert.Equal(new Timecode(hours, minutes, seconds, frames), timecode);
    }

    [Theory]
    [InlineData("")]
    [InlineData("00:00:30")]
    [InlineData("00:00:30:00:00")]
    [InlineData("00:60:00:00")]
    [InlineData("00:00:60:00")]
    [InlineData("00:0:00:00")]
    [InlineData("00:00:00:0000")]
    [InlineData("aa:00:00:00")]
    [InlineData("-1:00:00:00")]
    [InlineData("00:00:30;00")] // drop-frame notation is not supported
    [InlineData(" 00:00:30:00")]
    public void RejectsAnythingElse(string text) => Assert.False(Timecode.TryParse(text, out _));

    [Fact]
    public void FormatsWithTwoDigitFields() => Assert.Equal("00:01:02:03", new Timecode(0, 1, 2, 3).ToString());
}
