using System.Diagnostics.CodeAnalysis;
using System.Net;
using MediaServer.AccessControl;
using MediaServer.Hosting;
using ZeroCopy;

namespace MediaServer.Live;

/// <summary>
/// The live channels being published, by name, and who may publish them. A name has at most one publisher at a time; a
/// channel exists from its publisher's first byte to its last, each with its own ring of <c>capacity</c> bytes, reserved
/// from the server's <see cref="MemoryBudget"/> until the ring is freed.
/// </summary>
/// <param name="capacity">The ring size of each channel.</param>
/// <param name="maxChannels">The most channels at once.</param>
/// <param name="maxChannelsPerAddress">The most channels one client address publishes at once.</param>
/// <param name="memory">The budget each ring's capacity is reserved from.</param>
/// <param name="credentials">Who may publish.</param>
/// <param name="ringMemory">Where each ring keeps its bytes (shared memory: viewers are served with sendfile(2)).</param>
internal sealed class LiveChannelRegistry(long capacity, int maxChannels, int maxChannelsPerAddress, MemoryBudget memory, PublishCredentials credentials, CacheMemory ringMemory)
{
    private readonly object _lock = new();
    private readonly Dictionary<string, LiveChannel> _channels = new(StringComparer.Ordinal);
    private readonly ClientBudget _perAddress = new(maxChannelsPerAddress);

    /// <summary>Who may publish.</summary>
    public PublishCredentials Credentials => credentials;

    /// <summary>The size of each channel's ring, in bytes (the asked size, rounded up as the memory needs).</summary>
    public long RingCapacity => capacity;

    /// <summary>
    /// Opens channel <paramref name="name"/> for a publisher, or says why not: the credential first, then the name
    /// (<see cref="PublishRefusal.ChannelBusy"/>), then the budgets: channels in all, channels of the publisher's address,
    /// and memory for the ring.
    /// </summary>
    /// <param name="name">The channel name (already validated).</param>
    /// <param name="publisher">The publisher's remote endpoint.</param>
    /// <param name="transport"><c>tcp</c>, <c>srt</c> or <c>http</c>.</param>
    /// <param name="credential">What the publisher presented (a query string), or <see langword="null"/>.</param>
    /// <param name="refusal">Why not, when refused.</param>
    /// <returns>The new channel, its ring empty; <see langword="null"/> when refused (then <paramref name="refusal"/> says why).</returns>
    public LiveChannel? TryStartPublishing(string name, EndPoint? publisher, string transport, string? credential, out PublishRefusal refusal)
    {
        refusal = RefusalOf(credentials.Check(name, credential));
        if (refusal != PublishRefusal.None)
        {
            return null;
        }

        ClientAddress address = ClientAddress.Of(publisher);
        lock (_lock)
        {
            refusal = Check(name);
            if (refusal != PublishRefusal.None)
            {
                return null;
            }
        }

        if (!_perAddress.TryAcquire(address))
        {
            refusal = PublishRefusal.TooManyChannelsFromAddress;
            return null;
        }

        if (!memory.TryReserve(capacity))
        {
            _perAddress.Release(address);
            refusal = PublishRefusal.OverMemoryBudget;
            return null;
        }

        // Allocate the ring outside the lock, then check again: two publishers may race for the same name.
        var cache = new LiveCache(new LiveCacheOptions
        {
            Capacity = capacity,
            Memory = ringMemory,
            LaggingReaderPolicy = LaggingReaderPolicy.SkipToSyncPoint,
            SyncPointDetector = new MpegTsSyncPointDetector(),
            Name = name,
        });
        lock (_lock)
        {
            refusal = Check(name);
            if (refusal == PublishRefusal.None)
            {
                var channel = new LiveChannel(name, cache, publisher?.ToString() ?? "?", transport, address, () => memory.Release(capacity));
                _channels.Add(name, channel);
                return channel;
            }
        }

        cache.Dispose();
        memory.Release(capacity);
        _perAddress.Release(address);
        return null;
    }

    /// <summary>
    /// Whether a publisher of <paramref name="name"/> would be refused now for the name or the channel count (not for its
    /// credential or budgets), so a transport can turn it away before reading anything from it.
    /// </summary>
    public PublishRefusal CheckAvailable(string name)
    {
        lock (_lock)
        {
            return Check(name);
        }
    }

    /// <summary>
    /// What <see cref="TryStartPublishing"/> would answer now, taking nothing: for a transport that can refuse a publisher
    /// with a reason only before it accepts the connection (SRT's handshake). The answer can change before the real call
    /// (another publisher may take the name or the memory first); that call decides.
    /// </summary>
    public PublishRefusal CheckPublisher(string name, EndPoint? publisher, string? credential)
    {
        PublishRefusal refusal = RefusalOf(credentials.Check(name, credential));
        if (refusal == PublishRefusal.None)
        {
            refusal = CheckAvailable(name);
        }

        return refusal != PublishRefusal.None ? refusal
            : _perAddress.HeldBy(ClientAddress.Of(publisher)) >= maxChannelsPerAddress ? PublishRefusal.TooManyChannelsFromAddress
            : memory.Total - memory.Used < capacity ? PublishRefusal.OverMemoryBudget
            : PublishRefusal.None;
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

        _perAddress.Release(channel.PublisherAddress);
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
        PublishRefusal.TooManyChannelsFromAddress => $"this address already publishes {maxChannelsPerAddress} live channels",
        PublishRefusal.OverMemoryBudget => $"a {ByteSize.Format(capacity)} ring does not fit in what is left of the memory budget ({ByteSize.Format(memory.Total - memory.Used)} of {ByteSize.Format(memory.Total)})",
        PublishRefusal.CredentialMissing => "publishing needs a stream key (key=…) or a signed token (expires=…&token=…)",
        PublishRefusal.CredentialInvalid => "the stream key or token is not valid for this channel",
        PublishRefusal.CredentialExpired => "the token has expired",
        _ => throw new ArgumentOutOfRangeException(nameof(refusal), refusal, "not a reason to refuse a publisher"),
    };

    /// <summary>What a publisher's credential check means here: no refusal, or the credential's reason.</summary>
    private static PublishRefusal RefusalOf(CredentialCheck check) => check switch
    {
        CredentialCheck.Valid => PublishRefusal.None,
        CredentialCheck.Missing => PublishRefusal.CredentialMissing,
        CredentialCheck.Expired => PublishRefusal.CredentialExpired,
        _ => PublishRefusal.CredentialInvalid,
    };

    /// <summary>Whether a publisher of <paramref name="name"/> can be added now; called under the lock.</summary>
    private PublishRefusal Check(string name) =>
        _channels.ContainsKey(name) ? PublishRefusal.ChannelBusy
        : _channels.Count >= maxChannels ? PublishRefusal.TooManyChannels
        : PublishRefusal.None;
}
