using System.Net;
using MediaServer.Srt;

namespace MediaServer.Tests.Infrastructure;

/// <summary>
/// An SRT publisher in caller mode, through the server's own libsrt layer: what an encoder does, with the handshake's
/// outcome (the reject reason) in reach of the test. Dispose closes the link (an SRT shutdown, as an encoder's stop).
/// </summary>
internal sealed class SrtCaller : IDisposable
{
    private readonly SrtSocket _socket;
    private int _disposed;

    private SrtCaller(SrtSocket socket) => _socket = socket;

    /// <summary>The reason the listener gave for rejecting the connection (SRT access control codes: 1401 unauthorized…).</summary>
    public int RejectReason => _socket.RejectReason;

    /// <summary>Connects to <paramref name="endPoint"/> with <paramref name="streamId"/>; <see cref="Connected"/> says whether the listener took it.</summary>
    public static async Task<SrtCaller> ConnectAsync(IPEndPoint endPoint, string streamId, string? passphrase = null)
    {
        Assert.True(LibSrt.TryLoad(out string? failure), failure);
        Assert.True(LibSrt.srt_startup() >= 0);
        SrtSocket socket = SrtSocket.Create();
        var caller = new SrtCaller(socket);
        socket.Set(LibSrt.OptionStreamId, streamId, "SRTO_STREAMID");
        socket.Set(LibSrt.OptionConnectTimeout, 5000, "SRTO_CONNTIMEO");
        if (passphrase is not null)
        {
            socket.Set(LibSrt.OptionPassphrase, passphrase, "SRTO_PASSPHRASE");
        }

        try
        {
            await Task.Run(() => socket.Connect(endPoint)); // blocking, up to the connect timeout
            caller.Connected = true;
        }
        catch (SrtException e)
        {
            caller.Failure = e;
        }

        return caller;
    }

    public bool Connected { get; private set; }

    /// <summary>Why the connection failed, when it did.</summary>
    public SrtException? Failure { get; private set; }

    /// <summary>Sends <paramref name="stream"/> as encoders do: 1316-byte messages (seven TS packets), a pause every 64 messages.</summary>
    public async Task SendAsync(ReadOnlyMemory<byte> stream)
    {
        const int Message = 7 * 188;
        for (int offset = 0, count = 0; offset < stream.Length; offset += Message, count++)
        {
            _socket.Send(stream.Span.Slice(offset, Math.Min(Message, stream.Length - offset)));
            if (count % 64 == 63)
            {
                await Task.Delay(5); // about 16 MB/s: a fast encoder, well inside SRT's buffers
            }
        }
    }

    /// <summary>Closes the link, once: a second <c>srt_cleanup</c> would end libsrt for the whole process, the server's listener included.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _socket.Dispose();
            _ = LibSrt.srt_cleanup();
        }
    }
}
