using MediaServer.Tests.Infrastructure;

namespace MediaServer.Tests.Server;

/// <summary>
/// Issue 23: the table of docs/http-semantics.md, row by row, against the media server's <c>/videos/clip.mp4</c>; the
/// ASP.NET Core sample's tests run the same table (<see cref="HttpSemanticsTable"/>) against the same file.
/// </summary>
public sealed class HttpSemanticsTests(ServerFixture server) : IClassFixture<ServerFixture>, IDisposable
{
    public void Dispose() => server.Logs.AssertNoFaults();

    [Theory]
    [MemberData(nameof(HttpSemanticsTable.Names), MemberType = typeof(HttpSemanticsTable))]
    public Task EveryRequestOfTheTableGetsTheAnswerBothServersGive(string row) =>
        HttpSemanticsTable.CheckAsync(server.HttpEndPoint, "/videos/clip.mp4", MediaFiles.PathOf(MediaFiles.Mp4), row);

    [Fact]
    public Task TheVideosValidatorsAreTheSharedRecipesOfItsFile() =>
        HttpSemanticsTable.CheckValidatorsAsync(server.HttpEndPoint, "/videos/clip.mp4", MediaFiles.PathOf(MediaFiles.Mp4));
}
