using ZeroCopy.Internal;
using ZeroCopy.Segments;

namespace ZeroCopy;

// Loading whole files and streams: one-liners over the read-into path.
public sealed partial class VideoCache
{
    /// <summary>
    /// Creates a cache of exactly <paramref name="length"/> bytes in pinned arrays (<see cref="CacheMemory.PinnedArrays"/>)
    /// and fills it from <paramref name="source"/> through the read-into path (no intermediate buffer).
    /// </summary>
    /// <param name="source">A readable stream positioned at the first byte to load.</param>
    /// <param name="length">How many bytes to load; the stream must hold at least that many.</param>
    /// <param name="segmentSize">The cache's segment size (see the constructor).</param>
    /// <param name="cancellationToken">Cancels the load; the partly filled cache is disposed.</param>
    /// <returns>The filled cache; the caller owns it.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is negative or <paramref name="segmentSize"/> is invalid.</exception>
    /// <exception cref="EndOfStreamException">The stream ended before <paramref name="length"/> bytes.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    public static async ValueTask<VideoCache> LoadAsync(Stream source, long length, int segmentSize = DefaultSegmentSize, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (length < 0)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(length), length, "must not be negative");
        }

        var cache = new VideoCache(length, segmentSize);
        try
        {
            long read = await cache.ReadIntoAsync(source, 0, length, cancellationToken).ConfigureAwait(false);
            if (read < length)
            {
                ThrowHelper.EndOfStreamDuringLoad(length, read);
            }

            return cache;
        }
        catch
        {
            cache.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Creates a cache holding the whole file at <paramref name="path"/>, read into pinned arrays
    /// (<see cref="CacheMemory.PinnedArrays"/>); <see cref="OpenFile"/> maps the file instead.
    /// </summary>
    /// <param name="path">The file to load.</param>
    /// <param name="segmentSize">The cache's segment size (see the constructor).</param>
    /// <param name="cancellationToken">Cancels the load.</param>
    /// <returns>The filled cache, whose <see cref="Capacity"/> is the file's length; the caller owns it.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    /// <exception cref="IOException">The file cannot be read, or it shrank while loading.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    public static async ValueTask<VideoCache> LoadFileAsync(string path, int segmentSize = DefaultSegmentSize, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);

        // bufferSize 0: the file stream reads straight into the cache's segments, with no buffer of its own.
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using (file.ConfigureAwait(false))
        {
            return await LoadAsync(file, file.Length, segmentSize, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Opens the file at <paramref name="path"/> as a read-only cache by mapping it into memory: no load step (ready in
    /// about a millisecond whatever the size), sharing the operating system's page cache, and sending long ranges with
    /// <c>sendfile(2)</c> (see <see cref="SendWithHeadAsync"/>). With <paramref name="lockInMemory"/>, every page is read in now and locked in memory, so that
    /// "cached in memory" stays true under memory pressure.
    /// </summary>
    /// <param name="path">The file to map; its length is the cache's <see cref="Capacity"/>.</param>
    /// <param name="segmentSize">The cache's segment size (see the constructor): it sets how ranges are sliced.</param>
    /// <param name="lockInMemory">
    /// Read the whole file in now and lock it in RAM (<c>mlock(2)</c>, Linux only; needs a memory lock limit, <c>ulimit -l</c>,
    /// of at least the file's size). Without it, pages are read on first use and the kernel may evict cold ones.
    /// </param>
    /// <returns>A read-only cache (<see cref="IsReadOnly"/>, <see cref="Memory"/> is <see cref="CacheMemory.MappedFile"/>); the caller owns it.</returns>
    /// <remarks>
    /// The file must not be truncated while it is mapped (reading a page past the new end would crash the process, as with
    /// any mapping); replace files by writing a new one and renaming it over the old. Bytes written to the file by other
    /// processes show through the cache's views.
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="segmentSize"/> is invalid, or the file needs more segments than an array holds.</exception>
    /// <exception cref="IOException">The file cannot be opened or mapped, or cannot be locked in memory.</exception>
    /// <exception cref="PlatformNotSupportedException"><paramref name="lockInMemory"/> is requested outside Linux.</exception>
    public static VideoCache OpenFile(string path, int segmentSize = DefaultSegmentSize, bool lockInMemory = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        SegmentChain.ThrowIfInvalid(0, segmentSize, laps: 1, nameof(path), nameof(segmentSize));
        return new VideoCache(SegmentChain.OverFile(path, segmentSize, lockInMemory));
    }
}
