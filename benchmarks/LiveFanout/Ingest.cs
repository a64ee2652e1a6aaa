using System.Diagnostics;
using System.Net.Sockets;

/// <summary>
/// Pushes the synthetic stream at a fixed frame interval; a stall is falling more than 1 s behind schedule. Records when
/// each frame was handed to the socket (a <see cref="Stopwatch"/> timestamp taken just before the send), so that a
/// client can tell how long a frame took to reach it.
/// </summary>
internal sealed class Ingest(TimeSpan frameInterval, int maxFrames)
{
    private readonly long[] _sentAt = new long[maxFrames];
    private long _frames;

    public long Bytes;
    public int Stalls;

    /// <summary>The frames sent (or being sent) so far.</summary>
    public long Frames => Volatile.Read(ref _frames);

    /// <summary>When frame <paramref name="frame"/> was handed to the socket, or 0 if it was not (yet).</summary>
    public long SentAt(long frame) => frame >= 0 && frame < Frames && frame < _sentAt.Length ? Volatile.Read(ref _sentAt[frame]) : 0;

    public async Task RunAsync(Socket socket, SyntheticStream stream, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        long frames = 0;
        bool stalled = false;
        try
        {
            while (!cancellationToken.IsCancellationRequested && frames < _sentAt.Length)
            {
                ReadOnlyMemory<byte> frame = stream.NextFrame();
                Volatile.Write(ref _sentAt[frames], Stopwatch.GetTimestamp());
                Volatile.Write(ref _frames, frames + 1);
                await socket.SendAsync(frame, SocketFlags.None, cancellationToken);
                Interlocked.Add(ref Bytes, frame.Length);
                frames++;
                TimeSpan late = clock.Elapsed - (frames * frameInterval);
                if (late > TimeSpan.FromSeconds(1) && !stalled)
                {
                    Stalls++;
                    stalled = true;
                }
                else if (late < TimeSpan.Zero)
                {
                    stalled = false;
                    await Task.Delay(-late, cancellationToken);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }
}
