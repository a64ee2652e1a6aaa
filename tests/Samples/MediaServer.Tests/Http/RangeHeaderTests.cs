using MediaServer.Http;

namespace MediaServer.Tests.Http;

public sealed class RangeHeaderTests
{
    [Theory]
    [InlineData("bytes=0-99", 1000, 0, 100)]
    [InlineData("bytes=100-", 1000, 100, 900)]
    [InlineData("bytes=-100", 1000, 900, 100)]
    [InlineData("bytes=-5000", 1000, 0, 1000)] // suffix longer than the file: the whole file
    [InlineData("bytes=990-5000", 1000, 990, 10)] // last byte past the end: clamped
    [InlineData("bytes=999-999", 1000, 999, 1)]
    [InlineData("BYTES=0-0", 1000, 0, 1)]
    [InlineData("bytes= 5-9", 1000, 5, 5)]
    [InlineData("bytes=990-99999999999999999999", 1000, 990, 10)] // a last position past long.MaxValue: to the end
    [InlineData("bytes=-99999999999999999999", 1000, 0, 1000)] // a suffix past long.MaxValue: the whole file, as 206
    [InlineData("bytes=0000000000000000000000005-9", 1000, 5, 5)] // leading zeros are digits too
    public void OneSatisfiableRangeIsPartial(string header, long size, long offset, long length)
    {
        Assert.Equal(RangeRequest.Partial, RangeHeader.Evaluate(header, size, out ByteRange range));
        Assert.Equal(new ByteRange(offset, length), range);
    }

    [Theory]
    [InlineData("bytes=1000-", 1000)] // VLC at the end of a file
    [InlineData("bytes=1000-2000", 1000)]
    [InlineData("bytes=-0", 1000)]
    [InlineData("bytes=0-", 0)] // an empty file has no byte to send
    [InlineData("bytes=-1", 0)]
    [InlineData("bytes=99999999999999999999-", 1000)] // more than 18 digits: past any file, not ignored
    [InlineData("bytes=9223372036854775808-", 1000)] // long.MaxValue + 1
    public void ARangeOutsideTheRepresentationIsUnsatisfiable(string header, long size) =>
        Assert.Equal(RangeRequest.Unsatisfiable, RangeHeader.Evaluate(header, size, out _));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("items=0-5")] // another unit
    [InlineData("bytes=5-2")] // last before first: invalid, so ignored
    [InlineData("bytes=0-1,5-6")] // several ranges: ignored, the whole file answers
    [InlineData("bytes=abc")]
    [InlineData("bytes=-")]
    [InlineData("bytes=1-2-3")]
    [InlineData("bytes=0x10-")]
    public void AnAbsentInvalidOrUnsupportedRangeMeansTheWholeRepresentation(string? header) =>
        Assert.Equal(RangeRequest.Whole, RangeHeader.Evaluate(header, 1000, out _));

    [Fact]
    public void ContentRangeNamesFirstLastAndSize() =>
        Assert.EndsWith("\r\nContent-Range: bytes 10-19/1000\r\nContent-Length: 10\r\n\r\n",
            new ResponseHead().Start(HttpStatus.PartialContent).AddContentRange(new ByteRange(10, 10), 1000).Add("Content-Length", 10).ToString() + "\r\n", StringComparison.Ordinal);
}
