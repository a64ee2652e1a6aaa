using System.Globalization;

namespace MediaServer.Tests.Infrastructure;

/// <summary>One segment of a <see cref="ByteRangePlaylist"/>.</summary>
public sealed record ByteRangeSegment(double Duration, long Length, long Offset, string Uri);

/// <summary>A VOD HLS playlist of <c>#EXT-X-BYTERANGE</c> segments, read as a player reads it (RFC 8216).</summary>
public sealed record ByteRangePlaylist(IReadOnlyList<string> Lines, int TargetDuration, IReadOnlyList<ByteRangeSegment> Segments)
{
    /// <summary>Parses <paramref name="text"/>; a segment without its EXTINF or BYTERANGE fails the test, naming the line.</summary>
    public static ByteRangePlaylist Parse(string text)
    {
        string[] lines = text.TrimEnd('\n').Split('\n');
        var segments = new List<ByteRangeSegment>();
        int target = -1;
        double? duration = null;
        (long Length, long Offset)? range = null;
        foreach (string line in lines)
        {
            if (line.StartsWith("#EXT-X-TARGETDURATION:", StringComparison.Ordinal))
            {
                target = int.Parse(line.AsSpan("#EXT-X-TARGETDURATION:".Length), CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("#EXTINF:", StringComparison.Ordinal))
            {
                duration = double.Parse(line.AsSpan("#EXTINF:".Length).TrimEnd(','), CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("#EXT-X-BYTERANGE:", StringComparison.Ordinal))
            {
                string[] parts = line["#EXT-X-BYTERANGE:".Length..].Split('@');
                range = (long.Parse(parts[0], CultureInfo.InvariantCulture), long.Parse(parts[1], CultureInfo.InvariantCulture));
            }
            else if (line.Length > 0 && !line.StartsWith('#'))
            {
                Assert.True(duration is not null && range is not null, $"the segment URI '{line}' (segment {segments.Count}) lacks its EXTINF or BYTERANGE");
                segments.Add(new ByteRangeSegment(duration.Value, range.Value.Length, range.Value.Offset, line));
                (duration, range) = (null, null);
            }
        }

        Assert.True(target > 0, "no EXT-X-TARGETDURATION");
        Assert.NotEmpty(segments);
        return new ByteRangePlaylist(lines, target, segments);
    }
}
