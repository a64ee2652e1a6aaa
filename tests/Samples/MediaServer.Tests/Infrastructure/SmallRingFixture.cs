using MediaServer.Cli;

namespace MediaServer.Tests.Infrastructure;

/// <summary>A server whose live rings are small (256 KiB), so a push of a few hundred KiB laps them within a test.</summary>
public sealed class SmallRingFixture : ServerFixture
{
    public const int RingSize = 256 * 1024;

    internal override MediaServerOptions Configure(MediaServerOptions options) => options with { LiveBufferSize = RingSize };
}
