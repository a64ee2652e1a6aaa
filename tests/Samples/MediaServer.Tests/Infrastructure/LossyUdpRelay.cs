using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace MediaServer.Tests.Infrastructure;

/// <summary>
/// A bad uplink between one UDP client (an SRT encoder) and a server: every datagram, each way, is dropped with
/// probability <c>loss</c> and otherwise delivered <c>delay</c> later, in order: what <c>tc netem loss 2% delay 20ms</c>
/// on both ends of a link does, done in user space so that it needs neither root nor the kernel's netem (which this CI
/// machine's kernel is built without). Seeded: the same drops every run.
/// </summary>
internal sealed class LossyUdpRelay : IAsyncDisposable
{
    private readonly Socket _front = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly Socket _back = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly CancellationTokenSource _stop = new();
    private readonly double _loss;
    private readonly TimeSpan _delay;
    private readonly Task _running;
    private EndPoint? _client;
    private long _forwarded, _dropped;

    private LossyUdpRelay(IPEndPoint server, double loss, TimeSpan delay, int seed)
    {
        _loss = loss;
        _delay = delay;
        _front.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _back.Connect(server);
        var upstream = Channel.CreateUnbounded<(long Due, byte[] Datagram)>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var downstream = Channel.CreateUnbounded<(long Due, byte[] Datagram)>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        _running = Task.WhenAll(
            Task.Run(() => ReceiveAsync(fromClient: true, upstream.Writer, new Random(seed))),
            Task.Run(() => ReceiveAsync(fromClient: false, downstream.Writer, new Random(seed + 1))),
            Task.Run(() => DeliverAsync(upstream.Reader, datagram => _back.SendAsync(datagram.AsMemory(), SocketFlags.None))),
            Task.Run(() => DeliverAsync(downstream.Reader, datagram => _front.SendToAsync(datagram.AsMemory(), SocketFlags.None, _client!))));
    }

    /// <summary>Where the client sends instead of to the server.</summary>
    public IPEndPoint EndPoint => (IPEndPoint)_front.LocalEndPoint!;

    /// <summary>Datagrams delivered, both ways.</summary>
    public long Forwarded => Interlocked.Read(ref _forwarded);

    /// <summary>Datagrams dropped, both ways.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public static LossyUdpRelay Start(IPEndPoint server, double loss, TimeSpan delay, int seed = 1) => new(server, loss, delay, seed);

    private async Task ReceiveAsync(bool fromClient, ChannelWriter<(long Due, byte[] Datagram)> line, Random random)
    {
        byte[] buffer = new byte[65536];
        try
        {
            while (true)
            {
                int length;
                if (fromClient)
                {
                    SocketReceiveFromResult from = await _front.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), _stop.Token);
                    _client = from.RemoteEndPoint;
                    length = from.ReceivedBytes;
                }
                else
                {
                    length = await _back.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                }

                if (random.NextDouble() < _loss)
                {
                    Interlocked.Increment(ref _dropped);
                    continue;
                }

                line.TryWrite((Stopwatch.GetTimestamp() + (long)(_delay.TotalSeconds * Stopwatch.Frequency), buffer[..length]));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            line.TryComplete(); // stopped, or the server's port closed (ICMP unreachable): the link is down
        }
    }

    private async Task DeliverAsync(ChannelReader<(long Due, byte[] Datagram)> line, Func<byte[], ValueTask<int>> send)
    {
        try
        {
            await foreach ((long due, byte[] datagram) in line.ReadAllAsync(_stop.Token))
            {
                TimeSpan wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, _stop.Token);
                }

                await send(datagram);
                Interlocked.Increment(ref _forwarded);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // Stopped, or a peer is gone: a dead link delivers nothing more.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _front.Dispose();
        _back.Dispose();
        await _running.WaitAsync(TimeSpan.FromSeconds(10));
        _stop.Dispose();
    }
}
