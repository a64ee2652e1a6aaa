using System.Diagnostics;
using MediaServer.Hosting;
using ZeroCopy;

namespace MediaServer.Live;

/// <summary>
/// One live channel: the <see cref="LiveCache"/> its publisher writes into and its viewers read from, plus who publishes.
/// The channel owns the cache and disposes it once the publisher has ended and the last viewer has left, so no viewer
/// ever reads a disposed ring and the writer is never disposed under a running receive.
/// </summary>
[DebuggerDisplay("{Name,nq}: {BytesReceived} bytes, {ViewerCount} viewers")]
internal sealed class LiveChannel
{
    /// <summary>
    /// The most bytes one receive of a publisher (raw TCP or PUT) takes into the ring. A receive returns as soon as any
    /// bytes arrived, so this caps a burst, not the latency.
    /// </summary>
    public const int MaxReceiveSize = 256 * 1024;

    private readonly object _lock = new();
    private int _viewers;
    private int _holds;                         // HLS requests sending from the ring right now
    private bool _publishing = true;
    private bool _disposed;
    private readonly Action? _ringFreed; // Called once the ring is disposed: gives its memory back to the budget.

    public LiveChannel(string name, LiveCache cache, string publisher, string transport, ClientAddress publisherAddress = default, Action? ringFreed = null)
    {
        Name = name;
        Cache = cache;
        Publisher = publisher;
        Transport = transport;
        PublisherAddress = publisherAddress;
        _ringFreed = ringFreed;
    }

    public string Name { get; }

    /// <summary>The ring: written by the publisher only, read by the viewers.</summary>
    public LiveCache Cache { get; }

    /// <summary>Who publishes (the remote endpoint).</summary>
    public string Publisher { get; }

    /// <summary>The publisher's address, as the per-address budget counts it.</summary>
    public ClientAddress PublisherAddress { get; }

    /// <summary>How: <c>tcp</c> (raw MPEG-TS on the ingest port), <c>srt</c> (the SRT listener) or <c>http</c> (PUT).</summary>
    public string Transport { get; }

    public DateTimeOffset Started { get; } = DateTimeOffset.UtcNow;

    /// <summary>The publisher's link as its transport measures it (SRT: round trip, loss, retransmits); <see langword="null"/> for TCP and HTTP.</summary>
    public Func<Srt.SrtLinkStatistics>? LinkStatistics { get; set; }

    /// <summary>The bytes ingested so far.</summary>
    public long BytesReceived => Cache.WritePosition;

    public int ViewerCount => Volatile.Read(ref _viewers);

    /// <summary>
    /// Adds a viewer: a reader that starts at <paramref name="start"/> (a time-shifted join) or, by default, at the newest
    /// sync point. <see langword="null"/> once the channel is gone.
    /// </summary>
    public LiveReader? TryAddViewer(SyncPoint? start = null)
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return null;
            }

            LiveReader reader = start is SyncPoint at ? Cache.CreateReader(at) : Cache.CreateReader();
            _viewers++;
            return reader;
        }
    }

    /// <summary>Removes a viewer added by <see cref="TryAddViewer"/> and disposes its reader.</summary>
    public void RemoveViewer(LiveReader reader)
    {
        reader.Dispose();
        lock (_lock)
        {
            _viewers--;
            DisposeIfUnused();
        }
    }

    /// <summary>
    /// Keeps the ring from being disposed while an HLS request sends from it; <see langword="false"/> once the channel is
    /// gone. Every <see langword="true"/> is paired with <see cref="ReleaseHold"/>.
    /// </summary>
    public bool TryHold()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return false;
            }

            _holds++;
            return true;
        }
    }

    /// <summary>Ends a hold taken by <see cref="TryHold"/>.</summary>
    public void ReleaseHold()
    {
        lock (_lock)
        {
            _holds--;
            DisposeIfUnused();
        }
    }

    /// <summary>
    /// Ends the stream (viewers get what is left, then the end), called by the publisher once its last receive returned.
    /// </summary>
    public void EndPublishing(Exception? error)
    {
        Cache.Complete(error);
        lock (_lock)
        {
            _publishing = false;
            DisposeIfUnused();
        }
    }

    private void DisposeIfUnused()
    {
        if (!_publishing && _viewers == 0 && _holds == 0 && !_disposed)
        {
            _disposed = true;
            Cache.Dispose();
            _ringFreed?.Invoke();
        }
    }
}
