using ZeroCopy.Tests.Infrastructure;

namespace ZeroCopy.AspNetCore.Tests;

/// <summary>
/// The package's public API is a contract: src/ZeroCopy.AspNetCore/PublicAPI.txt lists it, and this test fails on any
/// difference. After an intended change, run the tests with ZEROCOPY_UPDATE_PUBLIC_API=1.
/// </summary>
public class PublicApiTests
{
    [Fact]
    public void PublicSurfaceMatchesPublicApiTxt()
    {
        PublicApiSurface.AssertMatches(typeof(VideoCacheResults).Assembly, "src/ZeroCopy.AspNetCore/PublicAPI.txt");
    }
}
