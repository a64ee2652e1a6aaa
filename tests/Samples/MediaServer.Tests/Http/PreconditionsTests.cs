using System.Text;
using MediaServer.Http;

namespace MediaServer.Tests.Http;

/// <summary>The parsing under <see cref="Preconditions"/>: entity-tag lists and HTTP-dates (the table runs the rules through the server).</summary>
public sealed class PreconditionsTests
{
    private const string Current = "\"a71de-683c40c0\"";

    [Theory]
    [InlineData(Current, true, true)]
    [InlineData("W/" + Current, true, false)] // If-Match compares strongly
    [InlineData("W/" + Current, false, true)] // If-None-Match weakly
    [InlineData("\"x\", " + Current, true, true)]
    [InlineData(" , \"x\" ,," + Current + " ,", true, true)] // empty members are allowed
    [InlineData("\"a,b\", " + Current, true, true)] // a comma inside a tag does not split it
    [InlineData("\"x\"", false, false)]
    [InlineData("*", true, true)]
    [InlineData("\"x\", *", false, true)]
    public void AListThatParsesAppliesAndMatchesByItsComparison(string field, bool strong, bool expected)
    {
        Assert.True(EntityTag.TryMatchList(field, Current, strong, out bool matches), $"'{field}' should apply");
        Assert.Equal(expected, matches);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" , ")]
    [InlineData("nope")] // not quoted
    [InlineData(Current + " nope")]
    [InlineData("\"unterminated")]
    [InlineData("\"a b\"")] // a space is not an etagc
    [InlineData("w/" + Current)] // the weak indicator is case-sensitive
    public void AListThatDoesNotParseDoesNotApply(string? field)
    {
        Assert.False(EntityTag.TryMatchList(field, Current, useStrongComparison: false, out bool matches));
        Assert.False(matches);
    }

    [Theory]
    [InlineData("Sun, 06 Nov 1994 08:49:37 GMT")] // IMF-fixdate
    [InlineData("Sunday, 06-Nov-94 08:49:37 GMT")] // obsolete RFC 850
    [InlineData("Sun Nov  6 08:49:37 1994")] // asctime
    public void EveryFormOfHttpDateParses(string text)
    {
        Assert.True(HttpDate.TryParse(text, out DateTimeOffset time), text);
        Assert.Equal(new DateTimeOffset(1994, 11, 6, 8, 49, 37, TimeSpan.Zero), time);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("yesterday")]
    [InlineData("Sun, 06 Nov 1994 08:49:37 CET")]
    [InlineData("1994-11-06T08:49:37Z")]
    public void AnythingElseIsNoDate(string? text) => Assert.False(HttpDate.TryParse(text, out _));

    [Theory]
    [InlineData("If-Range: " + Current, true)]
    [InlineData("If-Range: W/" + Current, false)]
    [InlineData("If-Range: \"other\"", false)]
    [InlineData("If-Range: Sun, 01 Jun 2025 12:00:00 GMT", true)]
    [InlineData("If-Range: Sun, 01 Jun 2025 12:00:01 GMT", false)]
    [InlineData("If-Range: soon", false)]
    [InlineData("X-None: 1", true)]
    public void IfRangeHoldsForTheSameTagStronglyOrTheSameDate(string field, bool holds)
    {
        var validators = new Validators(Current, new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero));
        Assert.Equal(holds, Preconditions.IfRangeHolds(Parse($"GET /v HTTP/1.1\r\nHost: h\r\n{field}\r\nRange: bytes=0-1\r\n\r\n"), validators));
    }

    private static HttpRequest Parse(string text) =>
        HttpRequestParser.Parse(Encoding.Latin1.GetBytes(text), new HttpLimits()).Request ?? throw new InvalidOperationException($"does not parse: {text}");
}
