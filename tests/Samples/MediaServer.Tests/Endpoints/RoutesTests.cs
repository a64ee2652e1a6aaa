using System.Text.RegularExpressions;
using MediaServer.Endpoints;
using MediaServer.AccessControl;
using MediaServer.Http;

namespace MediaServer.Tests.Endpoints;

/// <summary>The URL space declared once (<see cref="Routes"/>): what the router, the gate, the token command, the page and the README read.</summary>
public sealed class RoutesTests
{
    public static TheoryData<string> Templates => [.. Routes.All.Select(route => route.Template)];

    [Theory]
    [MemberData(nameof(Templates))]
    public void EveryRouteMatchesItsOwnPathsAndNoEarlierRouteTakesThem(string template)
    {
        Route route = Routes.All.Single(r => r.Template == template);
        string path = route.Path("a b/c.ts", "1-2.ts");

        Assert.True(RequestTarget.TrySplitPath(path, out string[] segments), path);
        Assert.Same(route, Routes.Match(segments, out string name, out string file));
        Assert.Equal(template.Contains("{name}", StringComparison.Ordinal) ? "a b/c.ts" : "", name); // encoded in the path, decoded by the match
        Assert.Equal(template.Contains("{file}", StringComparison.Ordinal) ? "1-2.ts" : "", file);
    }

    [Theory]
    [InlineData("/videos/clip.mp4/index.m3u8", "/videos/{name}/index.m3u8")]
    [InlineData("/live/cam1/index.m3u8", "/live/{name}/index.m3u8")] // the literal before the placeholder
    [InlineData("/live/cam1/0-3.ts", "/live/{name}/{file}")]
    [InlineData("/videos/", null)] // a placeholder takes no empty segment
    [InlineData("/live//x.ts", null)]
    [InlineData("/videos/clip.mp4/other", null)]
    [InlineData("/nothing", null)]
    public void APathMatchesOneRouteOrNone(string path, string? template)
    {
        Assert.True(RequestTarget.TrySplitPath(path, out string[] segments));
        Assert.Equal(template, Routes.Match(segments, out _, out _)?.Template);
    }

    [Theory]
    [InlineData("/videos/clip.mp4", "/videos/clip.mp4")]
    [InlineData("/videos/clip.mp4/chunk", "/videos/clip.mp4")]
    [InlineData("/videos/clip.mp4/not/a/route", "/videos/clip.mp4")] // below a signed resource, known or not
    [InlineData("/live/cam1/0-3.ts", "/live/cam1")]
    [InlineData("/videos/caf%C3%A9.mp4", "/videos/café.mp4")] // signed for the decoded name
    [InlineData("/", null)]
    [InlineData("/videos", null)]
    [InlineData("/live", null)]
    [InlineData("/hls.min.js", null)]
    [InlineData("/videos/", null)]
    public void AViewerTokenIsSignedForTheResourceAPathLiesAtOrBelow(string path, string? subject)
    {
        Assert.True(RequestTarget.TrySplitPath(path, out string[] segments));
        Assert.Equal(subject is not null, Routes.TryGetSignedSubject(segments, out string found));
        Assert.Equal(subject ?? "", found);
    }

    [Fact]
    public void ThePageIsGivenTheTemplatesItNamesAndAnUnknownNameIsABug()
    {
        Assert.Equal("fetch('/videos/{name}/chunk')", PageEndpoint.WithRoutes("fetch('{{route:videoChunk}}')"));
        Assert.Contains("'nope'", Assert.Throws<InvalidOperationException>(() => PageEndpoint.WithRoutes("{{route:nope}}")).Message, StringComparison.Ordinal);
        Assert.Equal($"?{SignedToken.ExpiresName}=1&{SignedToken.TokenName}=2", PageEndpoint.WithRoutes("?{{signed:expires}}=1&{{signed:token}}=2"));
        Assert.Contains("'nope'", Assert.Throws<InvalidOperationException>(() => PageEndpoint.WithRoutes("{{signed:nope}}")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheReadmeDocumentsEveryRoute()
    {
        string readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "samples", "MediaServer", "README.md"));
        Assert.All(Routes.All, route => Assert.Matches("[ `]" + Regex.Escape(route.Template) + "[`?]", readme)); // in the table of endpoints
    }

    private static string RepositoryRoot()
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "samples", "MediaServer", "README.md")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException($"no repository above {AppContext.BaseDirectory}");
    }
}
