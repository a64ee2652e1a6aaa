using MediaServer.Cli;
using MediaServer.Live.Hls;

namespace MediaServer.Tests.Infrastructure;

/// <summary>
/// A server whose HLS segments target half a second, so that a held request gives up after
/// <see cref="HlsOptions.MaxBlock"/> = 2.5 s rather than 7 s.
/// </summary>
public sealed class QuickHlsFixture : ServerFixture
{
    internal static readonly HlsOptions Hls = new() { SegmentTarget = TimeSpan.FromMilliseconds(500) };

    internal override MediaServerOptions Configure(MediaServerOptions options) => options with { Hls = Hls };
}
