namespace MediaServer.Hosting;

/// <summary>
/// Counts what each client address holds (connections, live channels) and refuses one more beyond
/// <see cref="PerAddress"/>, so that a single address cannot take what every other client needs. Thread-safe; O(1).
/// </summary>
internal sealed class ClientBudget(int perAddress)
{
    private readonly Dictionary<ClientAddress, int> _held = [];

    /// <summary>The most one client address may hold at once.</summary>
    public int PerAddress { get; } = perAddress;

    /// <summary>Takes one unit for <paramref name="client"/>; <see langword="false"/> (nothing taken) when it already holds <see cref="PerAddress"/>.</summary>
    public bool TryAcquire(ClientAddress client)
    {
        lock (_held)
        {
            _held.TryGetValue(client, out int held);
            if (held >= PerAddress)
            {
                return false;
            }

            _held[client] = held + 1;
            return true;
        }
    }

    /// <summary>Gives back one unit taken by a successful <see cref="TryAcquire"/>.</summary>
    public void Release(ClientAddress client)
    {
        lock (_held)
        {
            int held = _held[client] - 1;
            if (held == 0)
            {
                _held.Remove(client); // Addresses that hold nothing take no memory.
            }
            else
            {
                _held[client] = held;
            }
        }
    }

    /// <summary>What <paramref name="client"/> holds now.</summary>
    public int HeldBy(ClientAddress client)
    {
        lock (_held)
        {
            return _held.GetValueOrDefault(client);
        }
    }
}
