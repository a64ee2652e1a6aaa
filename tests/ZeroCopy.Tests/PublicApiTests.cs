using ZeroCopy.Tests.Infrastructure;

namespace ZeroCopy.Tests;

/// <summary>
/// The public API is a contract: src/ZeroCopy/PublicAPI.txt lists it, and this test fails on any difference, so every
/// API change shows up in review. After an intended change, run the tests with ZEROCOPY_UPDATE_PUBLIC_API=1.
/// </summary>
public class PublicApiTests
{
    [Fact]
    public void PublicSurfaceMatchesPublicApiTxt()
    {
        PublicApiSurface.AssertMatches(typeof(VideoCache).Assembly, "src/ZeroCopy/PublicAPI.txt");
    }
}

