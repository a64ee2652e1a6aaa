using MediaServer.Http;
using ZeroCopy;

namespace MediaServer.Live;

/// <summary>
/// The live channels being published, by name. A name has at most one publisher at a time; a channel exists from its
/// publisher's first byte to its last, each with its own ring of <c>capacity</c> bytes.
/// </summary>
internal sealed class LiveChannelRegistry(long capacity, int maxChannels)
{
    private readonly object _lock = new();
    private readonly Dictionary<string, LiveChannel> _channels = new(StringComparer.Ordinal);

    /// <summary>The ring size of each channel.</summary>
    public long Capacity => capacity;

    /// <summary>
    /// Opens channel <paramref name="name"/> for a publisher. Fails with 409 when the name already has one, 503 when the
    /// server already carries <c>maxChannels</c> channels.
    /// </summary>
    public LiveChannel? TryStartPublishing(string name, string publisher, string transport, out int refusalStatus, out string refusal)
    {
        lock (_lock)
        {
            if (!CanAdd(name, out refusalStatus, out refusal))
            {
                return null;
            }
        }

        // Allocate the ring outside the lock, then check again: two publishers may race for the same name.
        var cache = new LiveCache(new LiveCacheOptions
        {
            Capacity = capacity,
            LaggingReaderPolicy = LaggingReaderPolicy.SkipToSyncPoint,
            SyncPointDetector = new MpegTsSyncPointDetector(),
            Name = name,
        });
        lock (_lock)
        {
            if (CanAdd(name, out refusalStatus, out refusal))
            {
                var channel = new LiveChannel(name, cache, publisher, transport);
                _channels.Add(name, channel);
                return channel;
            }
        }

        cache.Dispose();
        return null;
    }

    /// <summary>Removes the channel and ends its stream; its viewers finish what is buffered.</summary>
    public void EndPublishing(LiveChannel channel, Exception? error)
    {
        lock (_lock)
        {
            if (_channels.TryGetValue(channel.Name, out LiveChannel? current) && current == channel)
            {
                _channels.Remove(channel.Name);
            }
        }

        channel.EndPublishing(error);
    }

    public bool TryGet(string name, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out LiveChannel channel)
    {
        lock (_lock)
        {
            return _channels.TryGetValue(name, out channel);
        }
    }

    /// <summary>The channels now, ordered by name.</summary>
    public LiveChannel[] Snapshot()
    {
        lock (_lock)
        {
            return [.. _channels.Values.OrderBy(channel => channel.Name, StringComparer.Ordinal)];
        }
    }

    private bool CanAdd(string name, out int refusalStatus, out string refusal)
    {
        (refusalStatus, refusal) = _channels.ContainsKey(name)
            ? (HttpStatus.Conflict, $"channel '{name}' already has a publisher")
            : _channels.Count >= maxChannels
                ? (HttpStatus.ServiceUnavailable, $"the server already carries {maxChannels} live channels")
                : (0, string.Empty);
        return refusalStatus == 0;
    }
}
