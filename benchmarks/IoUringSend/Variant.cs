namespace IoUringSend;

/// <summary>A way to send a range.</summary>
internal enum Variant
{
    /// <summary>The library: <c>VideoCache.SendToAsync</c> on its socket loop (<c>sendfile(2)</c>, epoll).</summary>
    Loop,

    /// <summary>
    /// The library from memory: the file loaded into a <c>CacheMemory.PinnedArrays</c> cache, whose ranges go out with
    /// <c>sendmsg(2)</c> (a copy into the socket) on the same loop: the epoll analogue of io_uring's SEND.
    /// </summary>
    LoopSend,

    /// <summary><c>IORING_OP_SEND</c> from the file's mapping.</summary>
    UringSend,

    /// <summary><c>IORING_OP_SEND_ZC</c> from the file's mapping.</summary>
    UringSendZeroCopy,

    /// <summary><c>IORING_OP_SPLICE</c> file → pipe → socket.</summary>
    UringSplice,
}

/// <summary>The names of <see cref="Variant"/> on the command line and in the tables.</summary>
internal static class VariantNames
{
    public static Variant Parse(string name) => name switch
    {
        "loop" => Variant.Loop,
        "loop-send" => Variant.LoopSend,
        "send" => Variant.UringSend,
        "send-zc" => Variant.UringSendZeroCopy,
        "splice" => Variant.UringSplice,
        _ => throw new ArgumentException($"unknown way '{name}': loop, loop-send, send, send-zc or splice", nameof(name)),
    };

    public static string Name(this Variant variant) => variant switch
    {
        Variant.Loop => "loop: sendfile + epoll",
        Variant.LoopSend => "loop: sendmsg + epoll",
        Variant.UringSend => "io_uring SEND",
        Variant.UringSendZeroCopy => "io_uring SEND_ZC",
        _ => "io_uring SPLICE",
    };
}
