using System.Text;

namespace MediaServer.Http;

/// <summary>
/// The strings one connection made for its recent request heads, given again when the same bytes come again: a player
/// or a load generator sends the same target, host and fields request after request, and each would otherwise be a new
/// string per request (Kestrel reuses header values the same way). A few entries, compared by length first, the least
/// recently used one replaced: a value that changes each time (a player's next Range) then takes the place of an older
/// such value, never of the target or host that every request repeats. O(entries × length) per lookup, no allocation on
/// a hit. Not thread-safe: one connection's.
/// </summary>
internal sealed class RecentStrings
{
    private const int Capacity = 16;

    private readonly string?[] _entries = new string?[Capacity];
    private readonly long[] _used = new long[Capacity]; // when each entry was last given out; 0: never
    private long _clock;

    /// <summary>The string of <paramref name="latin1"/> (each byte one char, as HTTP field values are read).</summary>
    public string Get(ReadOnlySpan<byte> latin1)
    {
        for (int i = 0; i < Capacity; i++)
        {
            string? entry = _entries[i];
            if (entry is not null && entry.Length == latin1.Length && Equals(entry, latin1))
            {
                return Use(i);
            }
        }

        return Add(Encoding.Latin1.GetString(latin1));
    }

    /// <summary>The string of <paramref name="chars"/>.</summary>
    public string Get(ReadOnlySpan<char> chars)
    {
        for (int i = 0; i < Capacity; i++)
        {
            string? entry = _entries[i];
            if (entry is not null && chars.SequenceEqual(entry))
            {
                return Use(i);
            }
        }

        return Add(chars.ToString());
    }

    private static bool Equals(string entry, ReadOnlySpan<byte> latin1)
    {
        for (int i = 0; i < latin1.Length; i++)
        {
            if (entry[i] != latin1[i])
            {
                return false;
            }
        }

        return true;
    }

    private string Use(int index)
    {
        _used[index] = ++_clock;
        return _entries[index]!;
    }

    private string Add(string value)
    {
        int oldest = 0;
        for (int i = 1; i < Capacity; i++)
        {
            if (_used[i] < _used[oldest])
            {
                oldest = i;
            }
        }

        _entries[oldest] = value;
        return Use(oldest);
    }
}
