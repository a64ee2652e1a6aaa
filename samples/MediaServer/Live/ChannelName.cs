namespace MediaServer.Live;

/// <summary>The names a live channel may have: 1 to 64 of <c>A-Z a-z 0-9 _ - .</c>, not starting with a dot.</summary>
internal static class ChannelName
{
    /// <summary>The channel the raw TCP ingest publishes to.</summary>
    public const string TcpIngest = "live";

    public const int MaxLength = 64;

    public static bool IsValid(string name) =>
        name.Length is > 0 and <= MaxLength && name[0] != '.' && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.');
}
