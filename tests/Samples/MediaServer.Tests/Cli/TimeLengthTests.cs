namespace MediaServer.Tests.Cli;

/// <summary>Lengths of time on the command line: units, combinations, HH:MM:SS, no exceptions.</summary>
public sealed class TimeLengthTests
{
    [Theory]
    [InlineData("90s", 90)]
    [InlineData("30min", 1800)]
    [InlineData("30m", 1800)]
    [InlineData("2h", 7200)]
    [InlineData("1h30m", 5400)]
    [InlineData("1.5h", 5400)]
    [InlineData("00:30:00", 1800)]
    [InlineData("1:02:03", 3723)]
    public void ValidLengthsParse(string text, double seconds)
    {
        Assert.True(TimeLength.TryParse(text, out TimeSpan length));
        Assert.Equal(TimeSpan.FromSeconds(seconds), length);
    }

    [Theory]
    [InlineData("")]
    [InlineData("30")]
    [InlineData("30x")]
    [InlineData("10ms")]
    [InlineData("0s")]
    [InlineData("-5min")]
    [InlineData("h")]
    [InlineData("00:00:00")]
    [InlineData("400d")]
    [InlineData("99999999h")]
    public void InvalidLengthsAreRefusedWithoutThrowing(string text) => Assert.False(TimeLength.TryParse(text, out _));
}
