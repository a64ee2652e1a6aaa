using System.Diagnostics.CodeAnalysis;
using ZeroCopy;

namespace MediaServer.Live;

/// <summary>
/// The live channels being published, by name. A name has at most one publisher at a time; a channel exists from its
/// publisher's first byte to its last, each with its own ring of <c>capacity</c> bytes.
/// </summary>
internal sealed class LiveChannelRegistry(long capacity, int maxChannels, CacheMemory memory)
{
    private readonly object _lock = new();
    private readonly Dictionary<string, LiveChannel> _channels = new(StringComparer.Ordinal);

    /// <summary>
    /// Opens channel <paramref name="name"/> for a publisher, or says why not: <see cref="PublishRefusal.ChannelBusy"/>
    /// when the name already has one, <see cref="PublishRefusal.TooManyChannels"/> when the server already carries
    /// <c>maxChannels</c> channels.
    /// </summary>
    /// <returns>The new channel, its ring empty; <see langword="null"/> when refused (then <paramref name="refusal"/> says why).</returns>
    /// <summary>The size of each channel's ring, in bytes (the asked size, rounded up as the memory needs).</summary>
    public long RingCapacity => capacity;

    public LiveChannel? TryStartPublishing(string name, string publisher, string transport, out PublishRefusal refusal)
    {
        lock (_lock)
        {
            refusal = Check(name);
            if (refusal != PublishRefusal.None)
            {
                return null;
            }
        }

        // Allocate the ring outside the lock, then check again: two publishers may race for the same name.
        var cache = new LiveCache(new LiveCacheOptions
        {
            Capacity = capacity,
            Memory = memory,
            LaggingReaderPolicy = LaggingReaderPolicy.SkipToSyncPoint,
            SyncPointDetector = new MpegTsSyncPointDetector(),
            Name = name,
        });
        lock (_lock)
        {
            refusal = Check(name);
            if (refusal == PublishRefusal.None)
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

    public bool TryGet(string name, [MaybeNullWhen(false)] out LiveChannel channel)
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

    /// <summary>Why a publisher of <paramref name="name"/> was refused, in words for a log line or a response body.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="refusal"/> is <see cref="PublishRefusal.None"/> or not a defined reason.</exception>
    public string Describe(PublishRefusal refusal, string name) => refusal switch
    {
        PublishRefusal.ChannelBusy => $"channel '{name}' already has a publisher",
        PublishRefusal.TooManyChannels => $"the server already carries {maxChannels} live channels",
        _ => throw new ArgumentOutOfRangeException(nameof(refusal), refusal, "not a reason to refuse a publisher"),
    };

    /// <summary>Whether a publisher of <paramref name="name"/> can be added now; called under the lock.</summary>
    private PublishRefusal Check(string name) =>
        _channels.ContainsKey(name) ? PublishRefusal.ChannelBusy
        : _channels.Count >= maxChannels ? PublishRefusal.TooManyChannels
        : PublishRefusal.None;
}
