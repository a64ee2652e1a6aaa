namespace MediaServer.Fuzz;

/// <summary>
/// A deterministic byte mutator in the manner of afl's havoc stage: bit flips, byte sets to interesting values,
/// arithmetic, block deletion, duplication and insertion, and splicing two inputs. Used when afl++ is not there
/// (<c>--mutate</c>), so the same run repeats exactly.
/// </summary>
internal sealed class Mutator(int seed)
{
    private static readonly byte[] s_interesting = [0, 1, 0x7F, 0x80, 0xFF, (byte)'\r', (byte)'\n', (byte)' ', (byte)':', (byte)'-', (byte)',', (byte)'0', (byte)'9', 0x47];

    private readonly Random _random = new(seed);

    /// <summary>A mutation of <paramref name="input"/>, sometimes spliced with <paramref name="other"/>; at most 64 KiB.</summary>
    public byte[] Mutate(byte[] input, byte[] other)
    {
        var bytes = new List<byte>(input);
        int rounds = 1 << _random.Next(1, 5);
        for (int round = 0; round < rounds; round++)
        {
            int at = bytes.Count == 0 ? 0 : _random.Next(bytes.Count);
            switch (_random.Next(9))
            {
                case 0 when bytes.Count > 0: bytes[at] ^= (byte)(1 << _random.Next(8)); break;
                case 1 when bytes.Count > 0: bytes[at] = s_interesting[_random.Next(s_interesting.Length)]; break;
                case 2 when bytes.Count > 0: bytes[at] = (byte)(bytes[at] + _random.Next(-35, 36)); break;
                case 3 when bytes.Count > 0: bytes[at] = (byte)_random.Next(256); break;
                case 4 when bytes.Count > 1: bytes.RemoveRange(at, Math.Min(_random.Next(1, 32), bytes.Count - at)); break;
                case 5 when bytes.Count > 0:
                    int from = _random.Next(bytes.Count);
                    bytes.InsertRange(at, bytes.GetRange(from, Math.Min(_random.Next(1, 64), bytes.Count - from)));
                    break;
                case 6: bytes.InsertRange(at, Enumerable.Repeat(s_interesting[_random.Next(s_interesting.Length)], _random.Next(1, 32))); break;
                case 7 when other.Length > 0:
                    int start = _random.Next(other.Length);
                    bytes.InsertRange(at, other.AsSpan(start, Math.Min(_random.Next(1, 256), other.Length - start)).ToArray());
                    break;
                case 8 when bytes.Count > 0: bytes.RemoveRange(at, bytes.Count - at); break; // truncation: what a short read delivers
            }
        }

        return bytes.Count > 65536 ? [.. bytes.GetRange(0, 65536)] : [.. bytes];
    }
}
