/// <summary>A part's place in a channel: segment <see cref="Msn"/>, part <see cref="Part"/>.</summary>
internal readonly record struct PartId(long Msn, int Part) : IComparable<PartId>
{
    public int CompareTo(PartId other) => Msn != other.Msn ? Msn.CompareTo(other.Msn) : Part.CompareTo(other.Part);

    public static bool operator <(PartId left, PartId right) => left.CompareTo(right) < 0;

    public static bool operator >(PartId left, PartId right) => left.CompareTo(right) > 0;

    public static bool operator <=(PartId left, PartId right) => left.CompareTo(right) <= 0;

    public static bool operator >=(PartId left, PartId right) => left.CompareTo(right) >= 0;
}

/// <summary>
/// What an LL-HLS client needs from the media server's playlist: the parts it lists (<c>#EXT-X-PART</c>, oldest first),
/// the preload hint, and the epoch of the media URIs (<c>{epoch}-{msn}.{part}.ts</c>).
/// </summary>
internal sealed class HlsPlaylist
{
    private HlsPlaylist(List<PartId> parts, PartId? hint, string? epoch)
    {
        Parts = parts;
        Hint = hint;
        Epoch = epoch;
    }

    public List<PartId> Parts { get; }

    public PartId? Hint { get; }

    public string? Epoch { get; }

    public static HlsPlaylist Parse(string text)
    {
        var parts = new List<PartId>();
        PartId? hint = null;
        string? epoch = null;
        foreach (string line in text.Split('\n'))
        {
            bool part = line.StartsWith("#EXT-X-PART:", StringComparison.Ordinal);
            if (!part && !line.StartsWith("#EXT-X-PRELOAD-HINT:", StringComparison.Ordinal))
            {
                continue;
            }

            int uri = line.IndexOf("URI=\"", StringComparison.Ordinal) + 5;
            string name = line[uri..line.IndexOf('"', uri)];                        // {epoch}-{msn}.{part}.ts
            int dash = name.IndexOf('-', StringComparison.Ordinal);
            string[] numbers = name[(dash + 1)..^3].Split('.');
            var id = new PartId(long.Parse(numbers[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(numbers[1], System.Globalization.CultureInfo.InvariantCulture));
            epoch = name[..dash];
            if (part)
            {
                parts.Add(id);
            }
            else
            {
                hint = id;
            }
        }

        return new HlsPlaylist(parts, hint, epoch);
    }
}
