using System.Net.Sockets;
using System.Text;
using MediaServer.AccessControl;
using MediaServer.Cli;
using MediaServer.Tests.AccessControl;
using MediaServer.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace MediaServer.Tests.Server;

/// <summary>
/// What a signed URL (<c>--viewer-secret-file</c>) adds to a kept-alive request's cost: the gate in front of the router
/// reads the path the router reads (routed once per path on the connection), parses the query into the connection's
/// dictionary and checks the HMAC on the stack. Counted over the whole process by <see cref="AllocationMeter"/>, alone after the suite.
/// </summary>
[Collection(nameof(AllocationGroup))]
public sealed class SignedRequestAllocationTests(SignedRequestAllocationTests.QuietSignedFixture server, ITestOutputHelper output)
    : IClassFixture<SignedRequestAllocationTests.QuietSignedFixture>, IDisposable
{
    /// <summary>The server with signed viewer URLs, nothing logged per request.</summary>
    public sealed class QuietSignedFixture : ServerFixture
    {
        internal override MediaServerOptions Configure(MediaServerOptions options) => options with { ViewerSecret = SignedViewerFixture.Secret };

        protected override LogLevel MinimumLogLevel => LogLevel.Warning;
    }

    public void Dispose() => server.Logs.AssertNoFaults();

    [Theory]
    [InlineData("/videos/clip.mp4", "bytes=1000-66535")]
    [InlineData("/videos/clip.ts", "bytes=188-")]
    public async Task ASignedRangeSentAgainOnAKeptAliveConnectionAllocatesNothing(string target, string range)
    {
        string url = target + "?" + SignedToken.Sign(SignedViewerFixture.Secret, target, DateTimeOffset.UtcNow.AddMinutes(30));
        using Socket socket = AllocationMeter.Connect(server.HttpEndPoint);
        byte[] request = Encoding.ASCII.GetBytes(RawHttpConnection.Request("GET", url, "Range: " + range, "User-Agent: test"));
        byte[] response = new byte[AllocationMeter.ResponseLength(socket, request, expectedStatus: 206)];

        double[] windows = await Task.Run(() => AllocationMeter.Measure(bound: 1, () => AllocationMeter.Exchange(socket, request, request.Length, response, response.Length)));

        output.WriteLine($"GET {target} signed ({range}), {response.Length} bytes a response: {AllocationMeter.Format(windows)}");
        Assert.True(windows[^1] <= 1, $"allocated per request in each window: [{string.Join(", ", windows)}] B");
    }
}
