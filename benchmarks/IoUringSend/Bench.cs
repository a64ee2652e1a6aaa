using System.Diagnostics;
using System.Globalization;
using System.IO.MemoryMappedFiles;
using System.Net;
using System.Net.Sockets;
using Microsoft.Win32.SafeHandles;
using ZeroCopy;

namespace IoUringSend;

/// <summary>The file, the receiver, and one run of one way: sends the ranges and measures what they cost.</summary>
internal sealed class Bench : IDisposable
{
    private readonly VideoCache _cache;                 // the library's way: the file mapped read-only, sent with sendfile(2)
    private readonly VideoCache _pinned;                // the library from memory: the file's bytes in pinned arrays, sent with sendmsg(2)
    private readonly unsafe byte* _map;                        // the file's mapping that SEND and SEND_ZC read
    private readonly Dictionary<Variant, UringSender> _senders = []; // one ring per io_uring way, reused across runs
    private readonly Process _receiver;
    private readonly int _port;

    public unsafe Bench(VideoCache cache, SafeFileHandle file, MemoryMappedViewAccessor view, int pipeSize, Process receiver, int port)
    {
        _cache = cache;
        _pinned = new VideoCache(view.Capacity, VideoCache.DefaultSegmentSize, CacheMemory.PinnedArrays);
        _receiver = receiver;
        _port = port;
        byte* pointer = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer); // released with the process: the view lives as long
        _map = pointer + view.PointerOffset;

        // Touch every page, so that the kernel's copy from the mapping never takes a page fault in the measured runs.
        long sum = 0;
        for (long offset = 0; offset < view.Capacity; offset += 4096)
        {
            sum += _map[offset];
        }

        GC.KeepAlive(sum);
        for (long offset = 0; offset < view.Capacity; offset += 1 << 20)
        {
            _pinned.Write(offset, new ReadOnlySpan<byte>(_map + offset, 1 << 20));
        }

        int fd = (int)file.DangerousGetHandle();
        foreach (Variant variant in new[] { Variant.UringSend, Variant.UringSendZeroCopy, Variant.UringSplice })
        {
            _senders[variant] = new UringSender(variant, fd, _map, pipeSize);
        }
    }

    public uint UringFeatures => _senders[Variant.UringSend].Features;

    public void Dispose()
    {
        foreach (UringSender sender in _senders.Values)
        {
            sender.Dispose();
        }

        _pinned.Dispose();
    }

    /// <summary>Writes the file if it is missing or of another length, then reads it through into the page cache.</summary>
    public static void PrepareFile(string path, long length)
    {
        var info = new FileInfo(path);
        byte[] chunk = new byte[1 << 20];
        if (!info.Exists || info.Length != length)
        {
            var random = new Random(24);
            using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0);
            for (long written = 0; written < length; written += chunk.Length)
            {
                random.NextBytes(chunk);
                stream.Write(chunk);
            }

            stream.Flush(flushToDisk: true);
        }

        using var read = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
        while (read.Read(chunk) > 0)
        {
        }
    }

    /// <summary>Starts this program as the receiver, in its own process, and reads the port it listens on.</summary>
    public static Process StartReceiver(out int port)
    {
        string host = Environment.ProcessPath!;
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            start.ArgumentList.Add(typeof(Bench).Assembly.Location);
        }

        start.ArgumentList.Add("receive");
        Process process = Process.Start(start)!;
        string line = process.StandardOutput.ReadLine() ?? throw new InvalidOperationException("the receiver did not start");
        port = int.Parse(line["port ".Length..], CultureInfo.InvariantCulture);
        return process;
    }

    /// <summary><paramref name="perConnection"/> random offsets (any byte, not aligned) for each of <paramref name="connections"/>.</summary>
    public static long[][] Offsets(int seed, int connections, long perConnection, int rangeSize, long fileLength)
    {
        var random = new Random(seed);
        var offsets = new long[connections][];
        for (int c = 0; c < connections; c++)
        {
            offsets[c] = new long[perConnection];
            for (long i = 0; i < perConnection; i++)
            {
                offsets[c][i] = random.NextInt64(0, fileLength - rangeSize + 1);
            }
        }

        return offsets;
    }

    /// <summary>Sends three ranges one way to a socket of this process and compares what arrives with the file.</summary>
    public unsafe void Verify(Variant variant)
    {
        (long Offset, int Length)[] ranges = [(12_345, 1 << 20), ((1L << 30) - (1 << 20), 1 << 20), (500_000_001, (3 << 20) + 7)];
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        sender.Connect(listener.LocalEndPoint!);
        using Socket far = listener.Accept();
        var arrived = new MemoryStream();
        var reading = Task.Run(() =>
        {
            byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = far.Receive(buffer)) > 0)
            {
                arrived.Write(buffer, 0, n);
            }
        });

        foreach ((long offset, int length) in ranges)
        {
            Send(variant, [sender], [[offset]], length);
        }

        sender.Shutdown(SocketShutdown.Send);
        reading.Wait();
        byte[] expected = [.. ranges.SelectMany(r => new ReadOnlySpan<byte>(_map + r.Offset, r.Length).ToArray())];
        if (!arrived.ToArray().AsSpan().SequenceEqual(expected))
        {
            throw new InvalidOperationException($"{variant.Name()}: {arrived.Length} bytes arrived, {expected.Length} expected, or other bytes");
        }
    }

    /// <summary>One measured run: every connection sends its ranges one way; the receiver confirms every byte.</summary>
    public RunResult Run(Variant variant, long[][] offsets, int rangeSize)
    {
        var sockets = new Socket[offsets.Length];
        for (int c = 0; c < sockets.Length; c++)
        {
            sockets[c] = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            sockets[c].Connect(new IPEndPoint(IPAddress.Loopback, _port));
        }

        long expected = offsets.Sum(o => (long)o.Length) * rangeSize;
        ProcessCounters self = ProcessCounters.Self();
        ProcessCounters far = ProcessCounters.Of(_receiver.Id);
        SocketLoopCounters loop = SocketLoop.GetCounters();
        bool onLoop = variant is Variant.Loop or Variant.LoopSend;
        long enters = onLoop ? 0 : _senders[variant].EnterCalls;
        (long Notifications, long Copied) notifications = variant == Variant.UringSendZeroCopy ? _senders[variant].ZeroCopyNotifications : default;
        long start = Stopwatch.GetTimestamp();

        Send(variant, sockets, offsets, rangeSize);

        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        ProcessCounters selfCost = ProcessCounters.Self() - self;
        ProcessCounters farCost = ProcessCounters.Of(_receiver.Id) - far;
        long syscalls;
        double copied = double.NaN;
        if (onLoop)
        {
            SocketLoopCounters d = SocketLoop.GetCounters() - loop;
            syscalls = d.Waits + d.WakeUps + d.SendCalls + d.SendFileCalls + d.ReceiveCalls;
        }
        else
        {
            syscalls = _senders[variant].EnterCalls - enters;
            if (variant == Variant.UringSendZeroCopy)
            {
                (long n, long c) = _senders[variant].ZeroCopyNotifications;
                copied = (c - notifications.Copied) / (double)Math.Max(1, n - notifications.Notifications);
            }
        }

        foreach (Socket socket in sockets)
        {
            socket.Shutdown(SocketShutdown.Send);
            socket.Dispose();
        }

        long received = 0;
        for (int c = 0; c < sockets.Length; c++)
        {
            string line = _receiver.StandardOutput.ReadLine() ?? throw new InvalidOperationException("the receiver exited");
            received += long.Parse(line["bytes ".Length..], CultureInfo.InvariantCulture);
        }

        if (received != expected)
        {
            throw new InvalidOperationException($"{variant.Name()}: the receiver got {received} bytes, {expected} were sent");
        }

        double gigabytes = expected / 1e9;
        return new RunResult(variant, rangeSize, 0, gigabytes / seconds, selfCost.CpuSeconds / gigabytes, selfCost.ContextSwitches / gigabytes, syscalls / gigabytes, farCost.CpuSeconds / seconds, copied);
    }

    private void Send(Variant variant, Socket[] sockets, long[][] offsets, int rangeSize)
    {
        if (variant is Variant.Loop or Variant.LoopSend)
        {
            foreach (Socket socket in sockets)
            {
                socket.Blocking = false; // as the media server sets it at accept: no framework registration
            }

            Task.WhenAll(sockets.Select((s, c) => SendAllAsync(variant == Variant.Loop ? _cache : _pinned, s, offsets[c], rangeSize))).GetAwaiter().GetResult();
            return;
        }

        int[] fds = [.. sockets.Select(s => (int)s.SafeHandle.DangerousGetHandle())];
        _senders[variant].Run(fds, offsets, rangeSize);

        static async Task SendAllAsync(VideoCache cache, Socket socket, long[] offsets, int rangeSize)
        {
            foreach (long offset in offsets)
            {
                await cache.SendToAsync(socket, offset, rangeSize);
            }
        }
    }
}
