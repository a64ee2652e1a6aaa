using MediaServer.Tests.Infrastructure;

namespace AspNetCore.Tests;

/// <summary>
/// Issue 23: the table of docs/http-semantics.md, row by row, against ZeroCopy.AspNetCore through the sample's
/// <c>/videos/clip.mp4</c>; the media server's tests run the same table (<see cref="HttpSemanticsTable"/>) on the same file.
/// </summary>
public sealed class HttpSemanticsTests(BundledClipFixture app) : IClassFixture<BundledClipFixture>
{
    [Theory]
    [MemberData(nameof(HttpSemanticsTable.Names), MemberType = typeof(HttpSemanticsTable))]
    public Task EveryRequestOfTheTableGetsTheAnswerBothServersGive(string row) =>
        HttpSemanticsTable.CheckAsync(app.EndPoint, "/videos/clip.mp4", MediaFiles.PathOf(MediaFiles.Mp4), row);

    [Fact]
    public Task TheVideosValidatorsAreTheMediaServersRecipeOfItsFile() =>
        HttpSemanticsTable.CheckValidatorsAsync(app.EndPoint, "/videos/clip.mp4", MediaFiles.PathOf(MediaFiles.Mp4));
}
