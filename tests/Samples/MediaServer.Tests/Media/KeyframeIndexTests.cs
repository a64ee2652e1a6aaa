using MediaServer.Media;

namespace MediaServer.Tests.Media;

public sealed class KeyframeIndexTests
{
    // 25 fps in a 12800 Hz timescale (512 ticks a frame), a keyframe every second, 10 s long.
    private static KeyframeIndex TenSecondsAt25Fps() => new(
        12_800, 512, 10 * 12_800,
        [.. Enumerable.Range(0, 10).Select(s => s * 12_800L)],
        [.. Enumerable.Range(0, 10).Select(s => 1000 + (s * 5000L))],
        "test");

    [Theory]
    [InlineData("00:00:00:00", 0)]
    [InlineData("00:00:00:24", 0)]
    [InlineData("00:00:01:00", 1)]
    [InlineData("00:00:04:13", 4)]
    [InlineData("00:00:09:24", 9)] // the last frame
    public void MapsATimecodeToTheKeyframeAtOrBeforeIt(string text, int expected)
    {
        Assert.True(Timecode.TryParse(text, out Timecode timecode));
        KeyframeIndex index = TenSecondsAt25Fps();

        Assert.Equal(KeyframeLookup.Found, index.Find(timecode, out int keyframe));
        Assert.Equal(expected, keyframe);
        Assert.Equal(1000 + (expected * 5000L), index.OffsetAt(keyframe));
        Assert.Equal(expected, index.TimeAt(keyframe), 6);
    }

    [Fact]
    public void AFrameNumberAtOrAboveTheFrameRateIsInvalid() =>
        Assert.Equal(KeyframeLookup.InvalidFrame, TenSecondsAt25Fps().Find(new Timecode(0, 0, 1, 25), out _));

    [Theory]
    [InlineData(10, 0)]
    [InlineData(3600, 0)]
    public void ATimecodeAtOrAfterTheEndIsBeyondIt(int seconds, int frames) =>
        Assert.Equal(KeyframeLookup.BeyondEnd, TenSecondsAt25Fps().Find(new Timecode(0, 0, 0, frames) with { Seconds = seconds % 60, Minutes = seconds / 60 % 60, Hours = seconds / 3600 }, out _));

    [Fact]
    public void NtscRatesCountThirtyFramesASecond()
    {
        var index = new KeyframeIndex(30_000, 1001, 60 * 30_000, [0], [0], "test");

        Assert.Equal(30, index.FramesPerSecond);
        Assert.Equal(29.97, index.FrameRate, 2);
        Assert.Equal(KeyframeLookup.Found, index.Find(new Timecode(0, 0, 0, 29), out _));
    }

    [Fact]
    public void KeyframesAreSortedByTimeWithTheirOffsets()
    {
        var index = new KeyframeIndex(1000, 40, 10_000, [2000, 0, 1000], [300, 100, 200], "test");

        Assert.Equal([100L, 200, 300], Enumerable.Range(0, index.Count).Select(index.OffsetAt));
    }

    [Fact]
    public void AnEmptyIndexIsRefused() =>
        Assert.Throws<InvalidDataException>(() => new KeyframeIndex(1000, 40, 1000, [], [], "test"));
}
