namespace ZeroCopy;

/// <summary>Where a cache keeps its bytes: pinned arrays, shared memory, or a file mapped read-only.</summary>
/// <remarks>
/// Both give the same addressing, views and guarantees; they differ in how bytes reach a socket. Choose
/// <see cref="SharedMemory"/> for caches that serve many bytes on Linux (sends use <c>sendfile(2)</c>: the kernel takes the
/// pages without copying them through user space); <see cref="PinnedArrays"/> where no file descriptor is wanted or the
/// platform is not Linux. <see cref="VideoCache.OpenFile"/> maps an existing file instead, read-only.
/// </remarks>
public enum CacheMemory
{
    /// <summary>
    /// Arrays on the pinned object heap (the default): no descriptor, sends copy from the arrays into the socket
    /// (<c>sendmsg(2)</c> on the <see cref="SocketLoop"/>, the framework's send otherwise).
    /// </summary>
    PinnedArrays = 0,

    /// <summary>
    /// Anonymous shared memory with a file descriptor (<c>memfd_create</c> on Linux; elsewhere a temporary file deleted
    /// once open), mapped into the process: sends hand long ranges to the kernel with <c>sendfile(2)</c>, in bounded
    /// pieces (more than 64 KiB on the <see cref="SocketLoop"/>, more than <see cref="SocketExtensions.DefaultMaxSendSize"/>
    /// through the framework, which a live ring's pieces never are), and send shorter ones from the mapping
    /// (<c>sendmsg(2)</c> on the loop).
    /// </summary>
    SharedMemory = 1,

    /// <summary>
    /// An existing file mapped read-only (<see cref="VideoCache.OpenFile"/>); sends use <c>sendfile(2)</c> from the file,
    /// as for <see cref="SharedMemory"/>.
    /// Not accepted by the constructors.
    /// </summary>
    MappedFile = 2,
}
