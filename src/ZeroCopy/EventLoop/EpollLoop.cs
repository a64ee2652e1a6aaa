using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using ZeroCopy.Internal;

namespace ZeroCopy;

/// <summary>
/// One thread waiting in <c>epoll_wait(2)</c> for the sockets that have nothing to do until the kernel says so, and
/// running the code that waited for them inline when it does: the library's own event loop, one per core.
/// </summary>
/// <remarks>
/// <para>
/// The framework's socket engine also waits in epoll, but hands every completion to a thread-pool worker: a context
/// switch, and often a spin, per operation. Here the waiting code (a send continuing after the socket drained, a
/// connection reading its next request) runs on the loop's thread, as an nginx worker runs its connections.
/// </para>
/// <para>
/// A descriptor belongs to loop <c>fd % count</c>. It is registered once, one-shot (<c>EPOLLONESHOT</c>): each wait
/// re-arms it with <c>EPOLL_CTL_MOD</c> for the directions that wait, one system call, and the kernel disarms it when it
/// reports. When the socket is closed the kernel forgets the registration by itself; a later socket with the same number
/// is registered again (<c>ENOENT</c> from the re-arm). A readiness event that finds no one waiting is ignored; one that
/// finds a waiter after the socket changed is a spurious wake-up, which the sender handles by trying again.
/// </para>
/// <para>
/// Every <see cref="SweepMilliseconds"/> the loop ends the waits whose deadline passed (<see cref="TimeoutException"/>) or
/// whose socket was disposed (<see cref="ObjectDisposedException"/>). With no wait armed there is nothing to sweep, and
/// the loop sleeps until an event or a <see cref="Post"/> (an idle loop does not wake ten times a second); a wait armed
/// from another thread then wakes it, once, so that its deadline is swept. A turn (one waiter's continuation) longer than
/// <see cref="SocketLoop.LongTurnThreshold"/> is counted: code that blocks on the loop delays every socket on it.
/// </para>
/// </remarks>
internal sealed unsafe class EpollLoop
{
    private const int MaxEvents = 256;
    private const int SweepMilliseconds = 100;
    private const ulong WakeData = ulong.MaxValue;      // the epoll data of the eventfd (a descriptor's data is its number)

    private static readonly Lazy<EpollLoop[]> s_loops = new(CreateLoops);

    [ThreadStatic]
    private static EpollLoop? t_current;

    private readonly int _epoll;                        // the epoll instance
    private readonly int _wakeFd;                       // an eventfd in the epoll set: Post wakes a sleeping loop with it
    private readonly ConcurrentQueue<ILoopWorkItem> _incoming = new(); // work other threads posted (Post)
    private int _wakeRequested;                         // 1 from a Post's eventfd write until the loop takes the wake-up
    private int _armedWaits;                            // waits armed now (ReadinessWait.Armed); none: nothing to sweep
    private int _sleepingUntilWoken;                    // 1 while the loop sleeps with no timeout (no wait was armed)
    private readonly object _gate = new();              // guards _fds, every wait's Armed, and the re-arms
    private readonly List<ReadinessWait> _due = [];     // the sweep's findings, reused; loop thread only
    private readonly Queue<ReadinessWait> _posted = new(); // yields to complete after this turn's events; loop thread only
    private DescriptorWaits?[] _fds = new DescriptorWaits?[256]; // by descriptor number; grows, never shrinks
    private long _nextSweep;                            // Environment.TickCount64 of the next sweep; loop thread only

    private EpollLoop(int index)
    {
        _epoll = Libc.EpollCreate(Libc.EpollCloexec);
        if (_epoll < 0)
        {
            throw new SocketException((int)SocketErrorMapping.FromErrno(Marshal.GetLastPInvokeError()));
        }

        _wakeFd = Libc.EventFd(0, Libc.EfdCloexec | Libc.EfdNonBlock);
        if (_wakeFd < 0)
        {
            throw new SocketException((int)SocketErrorMapping.FromErrno(Marshal.GetLastPInvokeError()));
        }

        byte* ev = stackalloc byte[16];
        *(uint*)ev = Libc.EpollIn;
        *(ulong*)(ev + Libc.EpollDataOffset) = WakeData;
        if (Libc.EpollCtl(_epoll, Libc.EpollCtlAdd, _wakeFd, ev) != 0)
        {
            throw new SocketException((int)SocketErrorMapping.FromErrno(Marshal.GetLastPInvokeError()));
        }

        var thread = new Thread(Run) { IsBackground = true, Name = $"ZeroCopy socket loop {index}" };
        thread.UnsafeStart();
    }

    /// <summary>Whether the calling thread is one of the loops' threads.</summary>
    public static bool IsLoopThread => t_current is not null;

    /// <summary>The loop whose thread is calling, or <see langword="null"/> off the loops.</summary>
    public static EpollLoop? Current => t_current;

    /// <summary>Whether the calling thread is this loop's.</summary>
    public bool IsCurrent => t_current == this;

    /// <summary>
    /// Runs <paramref name="item"/> on this loop's thread, after the events of its current pass; from another thread, wakes
    /// the loop with one <c>eventfd</c> write if none is pending (a burst of posts costs one wake-up). Never blocks.
    /// </summary>
    public void Post(ILoopWorkItem item)
    {
        _incoming.Enqueue(item);
        if (t_current != this)
        {
            Wake();
        }
    }

    /// <summary>
    /// Counts a wait armed or disarmed (under the lock). The first wait armed while the loop sleeps with no timeout wakes
    /// it, so that the next sleep is timed for the sweep: the loop sets its flag before it reads the count, and this reads
    /// the flag after it changed the count, both with full fences, so one of the two always sees the other.
    /// </summary>
    public void CountArmed(bool armed)
    {
        if (Interlocked.Add(ref _armedWaits, armed ? 1 : -1) == 1 && armed && t_current != this && Volatile.Read(ref _sleepingUntilWoken) == 1)
        {
            Wake();
        }
    }

    /// <summary>Wakes the loop from <c>epoll_wait</c> with one <c>eventfd</c> write, if none is pending.</summary>
    private void Wake()
    {
        if (Interlocked.Exchange(ref _wakeRequested, 1) == 0)
        {
            ulong one = 1;
            _ = Libc.Write(_wakeFd, (byte*)&one, sizeof(ulong));
        }
    }

    /// <summary>The loop that serves descriptor <paramref name="fd"/>.</summary>
    public static EpollLoop For(int fd)
    {
        EpollLoop[] loops = s_loops.Value;
        return loops[fd % loops.Length];
    }

    /// <summary>
    /// Waits until <paramref name="handle"/>'s socket can receive (or, with <paramref name="forSend"/>, send), the
    /// deadline passes, the token is canceled, or the socket is disposed. The awaiting code continues on the loop's thread
    /// (on the thread pool after a cancellation).
    /// </summary>
    /// <exception cref="InvalidOperationException">Another operation in the same direction already waits on this socket.</exception>
    public ValueTask WaitAsync(SafeSocketHandle handle, bool forSend, long deadline, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        // A reference only while the descriptor is registered: its number stays this socket's for the epoll_ctl, and the
        // reference is never held across the wait (see ReadinessWait).
        bool added = false;
        handle.DangerousAddRef(ref added);
        ReadinessWait wait;
        int error = 0;
        try
        {
            int fd = (int)handle.DangerousGetHandle();
            wait = Claim(handle, fd, forSend, deadline);
            lock (_gate)
            {
                DescriptorWaits waits = GetWaits(fd);
                wait.Armed = true;
                if (!Arm(waits, out error))
                {
                    wait.Armed = false;
                }
            }
        }
        finally
        {
            handle.DangerousRelease();
        }

        SocketLoopStatistics.CountWait();
        if (error != 0)
        {
            wait.Complete(new SocketException((int)SocketErrorMapping.FromErrno(error)));
        }
        else
        {
            wait.WatchCancellation(cancellationToken);
        }

        return new ValueTask(wait, wait.Version);
    }

    /// <summary>
    /// Lets the loop's other sockets go first, then continues: the wait is completed after the events of this pass, with no
    /// system call (the next <c>epoll_wait</c> does not sleep). Only on this loop's own thread; elsewhere it completes at once.
    /// </summary>
    public ValueTask YieldAsync(SafeSocketHandle handle, bool forSend)
    {
        if (t_current != this)
        {
            return default;
        }

        ReadinessWait wait = Claim(handle, (int)handle.DangerousGetHandle(), forSend, long.MaxValue);
        _posted.Enqueue(wait);
        return new ValueTask(wait, wait.Version);
    }

    /// <summary>Whether <paramref name="handle"/> was already seen in non-blocking mode (so no <c>fcntl</c> is needed to know).</summary>
    public bool IsKnownNonBlocking(SafeSocketHandle handle, int fd)
    {
        DescriptorWaits?[] fds = _fds;
        return fd < fds.Length && fds[fd] is { } waits && ReferenceEquals(waits.NonBlockingHandle, handle);
    }

    /// <summary>Remembers that <paramref name="handle"/> is in non-blocking mode (the framework never puts a socket back).</summary>
    public void RememberNonBlocking(SafeSocketHandle handle, int fd)
    {
        lock (_gate)
        {
            GetWaits(fd).NonBlockingHandle = handle;
        }
    }

    /// <summary>
    /// The descriptor's wait in one direction, claimed for <paramref name="handle"/>. If a socket closed before its wait
    /// was swept still holds it (the number was reused), that wait ends now with <see cref="ObjectDisposedException"/>
    /// and the new socket takes the slot.
    /// </summary>
    /// <exception cref="InvalidOperationException">Another operation of the same socket already waits in that direction.</exception>
    private ReadinessWait Claim(SafeSocketHandle handle, int fd, bool forSend, long deadline)
    {
        ReadinessWait wait;
        lock (_gate)
        {
            DescriptorWaits waits = GetWaits(fd);
            wait = forSend ? waits.Send : waits.Receive;
            if (wait.TryBegin(handle, deadline))
            {
                return wait;
            }

            if (wait.Handle is not { IsClosed: true } || !wait.Armed)
            {
                ThrowHelper.ConcurrentSocketWait(forSend);
            }

            wait.Armed = false;
        }

        // The stale wait's awaiter continues here and gives the slot back (it awaited before the socket closed).
        wait.Complete(new ObjectDisposedException(typeof(Socket).FullName));
        lock (_gate)
        {
            if (!wait.TryBegin(handle, deadline))
            {
                ThrowHelper.ConcurrentSocketWait(forSend);
            }
        }

        return wait;
    }

    /// <summary>Takes an armed wait back (its cancellation won the race against readiness); false when it already completed.</summary>
    public bool TryDisarm(ReadinessWait wait)
    {
        lock (_gate)
        {
            if (!wait.Armed)
            {
                return false;
            }

            wait.Armed = false;
            DescriptorWaits waits = _fds[wait.Fd]!;
            if (waits.Interest != 0)
            {
                Arm(waits, out _); // The other direction still waits: keep it armed.
            }

            return true;
        }
    }

    private static EpollLoop[] CreateLoops()
    {
        var loops = new EpollLoop[Math.Max(1, Environment.ProcessorCount)];
        for (int i = 0; i < loops.Length; i++)
        {
            loops[i] = new EpollLoop(i);
        }

        return loops;
    }

    private DescriptorWaits GetWaits(int fd)
    {
        if (fd >= _fds.Length)
        {
            Array.Resize(ref _fds, Math.Max(fd + 1, _fds.Length * 2));
        }

        return _fds[fd] ??= new DescriptorWaits(this, fd);
    }

    /// <summary>(Re-)arms the descriptor for the directions that wait; under the lock. Returns false with the errno on failure.</summary>
    private bool Arm(DescriptorWaits waits, out int error)
    {
        byte* ev = stackalloc byte[16];
        // EPOLLRDHUP only for a receive: a send waiting on a half-closed peer would otherwise be woken again at once.
        uint interest = waits.Interest;
        *(uint*)ev = interest | Libc.EpollOneShot | (waits.Receive.Armed ? Libc.EpollRdHup : 0);
        *(ulong*)(ev + Libc.EpollDataOffset) = (ulong)waits.Fd;
        int op = waits.Registered ? Libc.EpollCtlMod : Libc.EpollCtlAdd;
        while (true)
        {
            if (Libc.EpollCtl(_epoll, op, waits.Fd, ev) == 0)
            {
                waits.Registered = true;
                error = 0;
                return true;
            }

            error = Marshal.GetLastPInvokeError();
            if (op == Libc.EpollCtlMod && error == Libc.ENoEnt)
            {
                op = Libc.EpollCtlAdd; // A new socket with the number of a closed one.
            }
            else if (op == Libc.EpollCtlAdd && error == Libc.EExist)
            {
                op = Libc.EpollCtlMod;
            }
            else
            {
                return false;
            }
        }
    }

    private void Run()
    {
        t_current = this;
        int size = Libc.EpollEventSize;
        byte* events = (byte*)NativeMemory.Alloc((nuint)(MaxEvents * size));
        _nextSweep = Environment.TickCount64 + SweepMilliseconds;
        while (true)
        {
            int count = Libc.EpollWait(_epoll, events, MaxEvents, SleepMilliseconds());
            Volatile.Write(ref _sleepingUntilWoken, 0);
            if (count < 0)
            {
                int error = Marshal.GetLastPInvokeError();
                Debug.Assert(error == Libc.EIntr, $"epoll_wait failed with errno {error}");
                continue;
            }

            SocketLoopStatistics.CountWakeUp();
            for (int i = 0; i < count; i++)
            {
                byte* ev = events + (i * size);
                ulong data = *(ulong*)(ev + Libc.EpollDataOffset);
                if (data == WakeData)
                {
                    // Take the eventfd's count first, then let posts write again: a post between the two finds the flag
                    // still set and its item is drained below. (The other order lost a wake-up: the read took the write
                    // of a post made after the reset, leaving the flag set with nothing written, and the next post
                    // waited for a timeout.)
                    ulong value;
                    _ = Libc.Read(_wakeFd, (byte*)&value, sizeof(ulong));
                    Volatile.Write(ref _wakeRequested, 0);
                    continue;
                }

                OnReady((int)data, *(uint*)ev);
            }

            while (_incoming.TryDequeue(out ILoopWorkItem? item))
            {
                RunTurn(item);
            }

            // The yields posted before this pass; those they post in turn wait for the next one.
            for (int posted = _posted.Count; posted > 0; posted--)
            {
                ReadinessWait wait = _posted.Dequeue();
                wait.CompleteLaterWith(null);
                RunTurn(wait);
            }

            if (Environment.TickCount64 >= _nextSweep)
            {
                Sweep();
            }
        }
    }

    /// <summary>How long the next <c>epoll_wait</c> may sleep: not at all with work queued, until the next sweep with a wait armed, else until woken.</summary>
    private int SleepMilliseconds()
    {
        if (_posted.Count > 0 || !_incoming.IsEmpty)
        {
            return 0;
        }

        Interlocked.Exchange(ref _sleepingUntilWoken, 1);
        if (Volatile.Read(ref _armedWaits) == 0)
        {
            return -1;
        }

        Volatile.Write(ref _sleepingUntilWoken, 0);
        return SweepMilliseconds;
    }

    private void OnReady(int fd, uint events)
    {
        ReadinessWait? receive = null, send = null;
        lock (_gate)
        {
            DescriptorWaits? waits = fd < _fds.Length ? _fds[fd] : null;
            if (waits is null)
            {
                return;
            }

            bool failed = (events & (Libc.EpollErr | Libc.EpollHup)) != 0;
            if (waits.Receive.Armed && (failed || (events & (Libc.EpollIn | Libc.EpollRdHup)) != 0))
            {
                receive = waits.Receive;
                receive.Armed = false;
            }

            if (waits.Send.Armed && (failed || (events & Libc.EpollOut) != 0))
            {
                send = waits.Send;
                send.Armed = false;
            }

            if (waits.Interest != 0)
            {
                Arm(waits, out _); // One-shot disarmed the descriptor; the other direction still waits.
            }
        }

        if (receive is not null)
        {
            receive.CompleteLaterWith(null);
            RunTurn(receive);
        }

        if (send is not null)
        {
            send.CompleteLaterWith(null);
            RunTurn(send);
        }
    }

    /// <summary>
    /// Runs one turn on this thread (a wait's continuation, posted work), and counts it if it held the loop too long. A
    /// continuation that is not an async method's can throw here: counted, and the loop goes on.
    /// </summary>
    private static void RunTurn(ILoopWorkItem item)
    {
        long started = Stopwatch.GetTimestamp();
        try
        {
            item.RunOnLoop();
        }
        catch (Exception e)
        {
            SocketLoopStatistics.CountFault(e);
        }

        SocketLoopStatistics.CountTurn(Stopwatch.GetElapsedTime(started));
    }

    private void Sweep()
    {
        long now = Environment.TickCount64;
        _nextSweep = now + SweepMilliseconds;
        lock (_gate)
        {
            foreach (DescriptorWaits? waits in _fds)
            {
                if (waits is null)
                {
                    continue;
                }

                Collect(waits.Receive, now);
                Collect(waits.Send, now);
            }
        }

        foreach (ReadinessWait wait in _due)
        {
            wait.CompleteLaterWith(wait.Handle is { IsClosed: true } ? new ObjectDisposedException(typeof(Socket).FullName) : new TimeoutException("The socket made no progress within the stall timeout."));
            RunTurn(wait);
        }

        _due.Clear();

        void Collect(ReadinessWait wait, long now)
        {
            if (wait.Armed && (now >= wait.Deadline || wait.Handle is { IsClosed: true }))
            {
                wait.Armed = false;
                _due.Add(wait);
            }
        }
    }

    /// <summary>The two waits of one descriptor number, and whether it is registered with the epoll instance.</summary>
    private sealed class DescriptorWaits(EpollLoop loop, int fd)
    {
        public int Fd { get; } = fd;

        public bool Registered { get; set; }

        /// <summary>The last socket with this number seen in non-blocking mode: sendfile(2) needs it, and asking costs a system call.</summary>
        public SafeSocketHandle? NonBlockingHandle { get; set; }

        public ReadinessWait Receive { get; } = new(loop, fd, forSend: false);

        public ReadinessWait Send { get; } = new(loop, fd, forSend: true);

        public uint Interest => (Receive.Armed ? Libc.EpollIn : 0) | (Send.Armed ? Libc.EpollOut : 0);
    }
}
