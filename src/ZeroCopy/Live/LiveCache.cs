using System.Buffers;
using System.Diagnostics;
using ZeroCopy.Diagnostics;
using ZeroCopy.Internal;
using ZeroCopy.Segments;

namespace ZeroCopy;

/// <summary>
/// A live broadcast cache: a fixed-capacity ring of bytes with one writer (the ingest) and any number of readers (the
/// viewers), addressed by a 64-bit, ever-increasing stream position. The ingest never waits for a viewer, and no viewer
/// ever receives a byte that was overwritten.
/// </summary>
/// <remarks>
/// <para>
/// <b>Positions.</b> Byte <c>p</c> of the stream lives at ring offset <c>p % Capacity</c> until the writer reuses that
/// offset for byte <c>p + Capacity</c>. <see cref="WritePosition"/> counts the bytes ingested; <see cref="OldestPosition"/>
/// is the oldest byte still intact. Readers see <c>[OldestPosition, WritePosition)</c>, rounded down to the detector's unit.
/// </para>
/// <para>
/// <b>Layout.</b> The ring is allocated once, in power-of-two segments like <see cref="VideoCache"/>'s, in the store
/// <see cref="LiveCacheOptions.Memory"/> names: pinned arrays (<see cref="CacheMemory.PinnedArrays"/>) or shared memory
/// (<see cref="CacheMemory.SharedMemory"/>, a memfd on Linux, whose pages sends can hand to <c>sendfile(2)</c>). Its
/// segments are chained twice ("lap A" then "lap B", over the same memory) so that any window of up to
/// <see cref="Capacity"/> bytes, across the wrap point too, is one O(1), allocation-free <see cref="ReadOnlySequence{T}"/>.
/// </para>
/// <para>
/// <b>Writer.</b> One at a time: <see cref="ReceiveIntoAsync"/>, <see cref="ReadIntoAsync"/> and <see cref="Write"/> put
/// the bytes straight into the ring and then publish them; overlapping writer calls throw
/// <see cref="InvalidOperationException"/>. Publishing is O(1) whatever the number of readers; once per eighth of the
/// ring the writer reclaims the next region, checks which readers still use it, and cuts those off — without waiting.
/// </para>
/// <para>
/// <b>Readers.</b> <see cref="CreateReader()"/> starts a <see cref="LiveReader"/> at the newest sync point; it reads
/// views of the ring, waits for data without a thread (10,000 waiting readers cost memory, not threads), and sends
/// straight from the ring. See docs/design.md ("The live cache") for the guarantees and why they hold.
/// </para>
/// <para>
/// <b>Ownership.</b> The cache owns the ring. A reader's buffer is a view of it, valid until the reader advances, reads
/// again or is disposed, or until the writer laps the reader (which the reader is told). <see cref="Dispose"/> must not
/// run concurrently with the writer; readers see <see cref="ObjectDisposedException"/> afterwards.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// using var cache = new LiveCache(new LiveCacheOptions { Capacity = 256L &lt;&lt; 20, SyncPointDetector = new MpegTsSyncPointDetector() });
///
/// // Ingest: straight from the encoder's socket into the ring.
/// while (await cache.ReceiveIntoAsync(ingest, 64 * 1024, ct) &gt; 0) { }
/// cache.Complete();
///
/// // Each viewer, on its own task:
/// using LiveReader reader = cache.CreateReader();           // starts at the newest keyframe, PAT/PMT first
/// while (await reader.SendToAsync(viewer, ct) &gt; 0) { }     // sent from the ring, no copy
/// </code>
/// </example>
[DebuggerDisplay("{ToString(),nq}")]
public sealed partial class LiveCache : IDisposable
{
    /// <summary>The smallest capacity accepted: 4 KiB.</summary>
    public const long MinCapacity = 4 * 1024;

    /// <summary>The name of the <see cref="System.Diagnostics.Metrics.Meter"/> the live cache's instruments belong to: <c>ZeroCopy</c>.</summary>
    public const string MeterName = ZeroCopyMeter.Name;

    // Fixed at construction.
    private readonly SegmentChain _chain;       // the ring's memory, chained twice so that a window may wrap
    private readonly long _capacity;            // the ring's size in bytes
    private readonly long _reuseQuantum;        // an eighth of the ring: what one reclaim frees
    private readonly int _unitSize;             // the detector's unit (188 for MPEG-TS): readers see whole units
    private readonly int _sendPieceSize;        // a reader's send piece: about 1 MiB, whole units
    private readonly SendOptions _readerSendOptions; // what a reader's sends pass to the sender: pieces of _sendPieceSize
    private readonly ISyncPointDetector? _detector;
    private readonly LaggingReaderPolicy _policy;
    private readonly string? _name;             // the channel's name, the metrics' tag
    private readonly KeyValuePair<string, object?>[] _tags;
    private readonly LiveWaitQueue _waitQueue = new(); // readers waiting for data

    // Published by the writer, read by readers (LiveCache.Publication.cs; docs/design.md, "Memory ordering").
    private long _head;                         // bytes published so far
    private long _readableEnd;                  // the head rounded down to whole units: what readers may read
    private long _oldest;                       // the oldest intact position; the writer may reuse everything below it
    private long _version;                      // bumped after every publish, completion and disposal: what waiters watch
    private SyncPointEntry? _newestSyncPoint;   // where a new or skipping reader starts
    private long _syncPointCount;               // sync points ever published: the next one's sequence number
    private readonly SyncPointEntry?[] _syncPointIndex; // the newest sync points, slot = sequence % length (LiveCache.SyncPointIndex.cs)
    private LiveCompletion? _completion;        // set once, when the stream ends
    private int _disposed;

    // The writer's own: only the thread inside a writer call touches them (the _writerActive flag orders the calls).
    private long _writeOffset;                  // the head's ring offset
    private long _lastSyncPosition = -1;        // the detector's previous sync point, to reject one that goes back
    private int _writerActive;                  // 1 while a writer call runs: a second one throws
    private byte[]? _messageStaging;            // one message that met the wrap point (ReceiveMessageInto), allocated on first need
    private long _stagedBytes;                  // bytes received through _messageStaging: for tests, and the remarks' claim

    // The registry of readers: changed under _registryLock; the writer scans the published array without the lock.
    private readonly object _registryLock = new();
    private readonly Stack<int> _freeSlots = new();
    private LiveReader?[] _readers = new LiveReader?[16];
    private int _slotsUsed;                     // slots ever used: the next new slot
    private int _readerCount;                   // readers open
    private LiveRangeLease[] _rangeLeases = [];  // the light leases of range sends (SendRangeAsync), reused; grown under _registryLock

    /// <summary>Allocates the ring described by <paramref name="options"/>.</summary>
    /// <param name="options">The capacity, segment size, lagging-reader policy, sync point detector and name.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">
    /// The capacity is below <see cref="MinCapacity"/>; the segment size is not a power of two between
    /// <see cref="VideoCache.MinSegmentSize"/> and <see cref="VideoCache.MaxSegmentSize"/>; the policy is not defined; or the
    /// detector's unit size is below 1 or above an eighth of the capacity; or the sync point index capacity is below 1; or
    /// the memory is not <see cref="CacheMemory.PinnedArrays"/> or <see cref="CacheMemory.SharedMemory"/>; or, with shared
    /// memory, the capacity is not a multiple of eight pages.
    /// </exception>
    /// <exception cref="OutOfMemoryException">The ring cannot be allocated.</exception>
    /// <exception cref="IOException">The shared memory cannot be created.</exception>
    public LiveCache(LiveCacheOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        long capacity = options.Capacity;
        int segmentSize = options.SegmentSize;
        if (capacity < MinCapacity)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(options.Capacity), capacity, $"must be at least {MinCapacity}");
        }

        SegmentChain.ThrowIfInvalid(capacity, segmentSize, laps: 2, nameof(options.Capacity), nameof(options.SegmentSize));

        SegmentStore.ThrowIfNotAllocatable(options.Memory, nameof(options.Memory));
        SegmentStore.ThrowIfNotRingCapacity(options.Memory, capacity, nameof(options.Capacity));

        if (!Enum.IsDefined(options.LaggingReaderPolicy))
        {
            ThrowHelper.ArgumentOutOfRange(nameof(options.LaggingReaderPolicy), options.LaggingReaderPolicy, $"must be {nameof(LaggingReaderPolicy.SkipToSyncPoint)} or {nameof(LaggingReaderPolicy.Disconnect)}");
        }

        _reuseQuantum = capacity / 8;
        _detector = options.SyncPointDetector;
        _unitSize = _detector?.UnitSize ?? 1;
        if (_unitSize < 1 || _unitSize > _reuseQuantum)
        {
            ThrowHelper.ArgumentOutOfRange($"{nameof(options.SyncPointDetector)}.{nameof(ISyncPointDetector.UnitSize)}", _unitSize, $"must be between 1 and an eighth of the capacity, {_reuseQuantum}");
        }

        if (options.SyncPointIndexCapacity < 1)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(options.SyncPointIndexCapacity), options.SyncPointIndexCapacity, "must be at least 1");
        }

        _syncPointIndex = new SyncPointEntry?[options.SyncPointIndexCapacity];
        _sendPieceSize = _unitSize >= SocketExtensions.DefaultMaxSendSize ? _unitSize : SocketExtensions.DefaultMaxSendSize / _unitSize * _unitSize;
        _readerSendOptions = new SendOptions { MaxPieceSize = _sendPieceSize };
        _capacity = capacity;
        _policy = options.LaggingReaderPolicy;
        _name = options.Name;
        _tags = _name is null ? [] : [new(LiveMetrics.ChannelTag, _name)];
        _chain = SegmentChain.Ring(capacity, segmentSize, options.Memory);
        LiveMetrics.Track(this);
    }

    /// <summary>The number of bytes in the ring.</summary>
    public long Capacity => _capacity;

    /// <summary>The size of each of the ring's segments in bytes (the last one may be shorter).</summary>
    public int SegmentSize => _chain.SegmentSize;

    /// <summary>Where the ring keeps its bytes: <see cref="CacheMemory.PinnedArrays"/> or <see cref="CacheMemory.SharedMemory"/>.</summary>
    public CacheMemory Memory => _chain.Store.Kind;

    /// <summary>
    /// The smallest ring capacity of at least <paramref name="capacity"/> bytes that <paramref name="memory"/> accepts: a
    /// multiple of eight pages in shared memory (so that each eighth the writer reclaims is whole pages), any size in
    /// pinned arrays. For a caller that sizes rings from a setting: ask this rather than repeat the rule. O(1).
    /// </summary>
    /// <param name="capacity">The capacity wanted, in bytes.</param>
    /// <param name="memory">The store the ring will use: <see cref="CacheMemory.PinnedArrays"/> or <see cref="CacheMemory.SharedMemory"/>.</param>
    /// <returns><paramref name="capacity"/>, rounded up to the store's multiple. <see cref="MinCapacity"/> still applies.</returns>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="capacity"/> is negative or too large to round up, or <paramref name="memory"/> is not
    /// <see cref="CacheMemory.PinnedArrays"/> or <see cref="CacheMemory.SharedMemory"/>.
    /// </exception>
    public static long RoundUpCapacity(long capacity, CacheMemory memory)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        SegmentStore.ThrowIfNotAllocatable(memory, nameof(memory));
        long multiple = SegmentStore.RingCapacityMultiple(memory);
        if (capacity > long.MaxValue - multiple)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(capacity), capacity, $"must leave room to round up to a multiple of {multiple}");
        }

        return (capacity + multiple - 1) / multiple * multiple;
    }

    /// <summary>The channel's name (the metrics tag), or <see langword="null"/>.</summary>
    public string? Name => _name;

    /// <summary>What happens to readers that fall a ring behind.</summary>
    public LaggingReaderPolicy LaggingReaderPolicy => _policy;

    /// <summary>The published head: the total number of bytes ingested so far. Only grows.</summary>
    public long WritePosition => Volatile.Read(ref _head);

    /// <summary>
    /// The oldest stream position whose byte is still intact: the writer may reuse the ring offsets of every position
    /// below it at any time. Only grows, in steps of an eighth of the capacity.
    /// </summary>
    public long OldestPosition => Volatile.Read(ref _oldest);

    /// <summary>Whether the writer has completed the stream (<see cref="Complete"/>), with or without an error.</summary>
    public bool IsCompleted => Volatile.Read(ref _completion) is not null;

    /// <summary>The number of readers created and not yet disposed.</summary>
    public int ReaderCount => Volatile.Read(ref _readerCount);

    /// <summary>
    /// Releases the ring. Waiting readers wake and, like every later call on a reader, throw
    /// <see cref="ObjectDisposedException"/>. Must not run concurrently with a writer call. Safe to call more than once.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Interlocked.Increment(ref _version);
        _waitQueue.WakeAll();
        _chain.Dispose();
        LiveMetrics.Untrack(this);
    }

    /// <summary>Describes the cache (capacity, positions, readers); never throws.</summary>
    /// <returns>A short description.</returns>
    public override string ToString() =>
        Volatile.Read(ref _disposed) != 0
            ? $"LiveCache {_name} (disposed)"
            : $"LiveCache {_name} Capacity = {_capacity}, Oldest = {OldestPosition}, Write = {WritePosition}, Readers = {ReaderCount}{(IsCompleted ? ", completed" : "")}";

    internal long Version => Volatile.Read(ref _version);

    /// <summary>
    /// The end of what readers may read: <see cref="WritePosition"/> rounded down to whole units of the detector (188-byte
    /// packets for MPEG-TS), or all of it once the stream completed. Only grows. Every byte in
    /// <c>[OldestPosition, ReadableEnd)</c> is published and, until the writer reclaims it, intact.
    /// </summary>
    public long ReadableEnd => Volatile.Read(ref _readableEnd);

    /// <summary>How far behind the readable end a reader may be before its data is at risk: seven eighths of the ring.</summary>
    internal long LaggingDistance => _capacity - _reuseQuantum;

    /// <summary>The most bytes a reader sends before it moves its lease on: about 1 MiB, a whole number of units.</summary>
    internal int SendPieceSize => _sendPieceSize;

    /// <summary>The options of a reader's sends: pieces of <see cref="SendPieceSize"/>, no stall timeout (the caller's token bounds them).</summary>
    internal SendOptions ReaderSendOptions => _readerSendOptions;

    internal bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    internal LiveCompletion? Completion => Volatile.Read(ref _completion);

    internal ReadOnlySpan<KeyValuePair<string, object?>> Tags => _tags;

    internal LiveWaitQueue WaitQueue => _waitQueue;

    /// <summary>The ring's memory: its lifetime, and its file when sends can use <c>sendfile(2)</c>.</summary>
    internal SegmentStore Store => _chain.Store;

    internal void ThrowIfDisposed()
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            ThrowHelper.ObjectDisposed(this);
        }
    }

    /// <summary>
    /// The stream bytes <c>[position, position + length)</c> as one sequence over the ring. O(1), no copy, no allocation.
    /// The caller guarantees the range is intact (at or above <see cref="OldestPosition"/>, leased) and at most a ring long.
    /// </summary>
    internal ReadOnlySequence<byte> GetSequence(long position, long length)
    {
        Debug.Assert(position >= 0 && (ulong)length <= (ulong)_capacity, $"position {position}, length {length}, capacity {_capacity}");
        return _chain.Slice(position % _capacity, length);
    }

    /// <summary>A sync point as published to readers and kept in the index: immutable, swapped in whole.</summary>
    internal sealed class SyncPointEntry(SyncPoint syncPoint, long sequence, long publishedTimestamp)
    {
        public long Position { get; } = syncPoint.Position;

        public ReadOnlyMemory<byte> Preamble { get; } = syncPoint.Preamble;

        public TimeSpan? PresentationTime { get; } = syncPoint.PresentationTime;

        /// <summary>The sync point's number in publication order: which slot of the index holds it, and whether it still does.</summary>
        public long Sequence { get; } = sequence;

        /// <summary>When the writer published it (<see cref="Stopwatch.GetTimestamp"/>): the wall clock of "N seconds before the head".</summary>
        public long PublishedTimestamp { get; } = publishedTimestamp;

        public SyncPoint ToSyncPoint() => new(Position, Preamble, PresentationTime);
    }

    /// <summary>How the stream ended: published once, after the final readable end.</summary>
    internal sealed class LiveCompletion(Exception? error)
    {
        public Exception? Error { get; } = error;
    }
}
