using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

/// <summary>The answer to one GET: its status, its body's length, the body's last 8 bytes, and when its last byte came.</summary>
internal readonly record struct HttpAnswer(int Status, long Length, ulong Tail, long ReceivedAt);

/// <summary>
/// A minimal HTTP/1.1 keep-alive client for the load tool: one request at a time, bodies framed by
/// <c>Content-Length</c> (as the media server frames every HLS answer). A body is counted and dropped, or kept
/// (<see cref="Body"/>) for a playlist. It reconnects when the server closed the connection.
/// </summary>
internal sealed class KeepAliveConnection(int port) : IDisposable
{
    private readonly byte[] _buffer = new byte[64 * 1024];
    private readonly byte[] _tail = new byte[8];        // the last 8 bytes of the body being read
    private byte[] _body = new byte[16 * 1024];
    private int _bodyLength;
    private Socket? _socket;

    /// <summary>The body of the last answer asked to be kept.</summary>
    public string Body => Encoding.UTF8.GetString(_body, 0, _bodyLength);

    public async Task<HttpAnswer> GetAsync(string target, bool keepBody, CancellationToken cancellationToken)
    {
        if (_socket is null)
        {
            _socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await _socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken);
        }

        try
        {
            await _socket.SendAsync(Encoding.ASCII.GetBytes($"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"), SocketFlags.None, cancellationToken);
            return await ReadAnswerAsync(_socket, keepBody, cancellationToken);
        }
        catch (Exception e) when (e is SocketException or IOException)
        {
            Dispose(); // The next request reconnects.
            throw;
        }
    }

    public void Dispose()
    {
        _socket?.Dispose();
        _socket = null;
    }

    private async Task<HttpAnswer> ReadAnswerAsync(Socket socket, bool keepBody, CancellationToken cancellationToken)
    {
        int filled = 0;
        int headEnd;
        while ((headEnd = _buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8)) < 0)
        {
            if (filled == _buffer.Length)
            {
                throw new IOException("a response head over 64 KiB");
            }

            int received = await socket.ReceiveAsync(_buffer.AsMemory(filled), SocketFlags.None, cancellationToken);
            filled += received > 0 ? received : throw new IOException("the server closed the connection");
        }

        string head = Encoding.ASCII.GetString(_buffer, 0, headEnd);
        int status = int.Parse(head.AsSpan(9, 3), CultureInfo.InvariantCulture);
        int field = head.IndexOf("\r\nContent-Length:", StringComparison.OrdinalIgnoreCase);
        long length = 0;
        if (field >= 0)
        {
            int lineEnd = head.IndexOf('\r', field + 2);
            lineEnd = lineEnd < 0 ? head.Length : lineEnd;
            length = long.Parse(head.AsSpan(field + 17, lineEnd - field - 17).Trim(), CultureInfo.InvariantCulture);
        }

        bool close = head.Contains("\r\nConnection: close", StringComparison.OrdinalIgnoreCase);
        if (keepBody && _body.Length < length)
        {
            _body = new byte[Math.Max(length, 2 * _body.Length)];
        }

        long got = 0;
        int start = headEnd + 4;
        while (true)
        {
            int take = (int)Math.Min(filled - start, length - got);
            Keep(_buffer.AsSpan(start, take), got, keepBody);
            got += take;
            if (got == length)
            {
                break;
            }

            start = 0;
            filled = await socket.ReceiveAsync(_buffer, SocketFlags.None, cancellationToken);
            if (filled == 0)
            {
                throw new IOException($"the server closed the connection after {got} of {length} body bytes");
            }
        }

        _bodyLength = keepBody ? (int)length : 0;
        if (close)
        {
            Dispose();
        }

        return new HttpAnswer(status, length, length >= 8 ? BinaryPrimitives.ReadUInt64BigEndian(_tail) : 0, Stopwatch.GetTimestamp());
    }

    /// <summary>Keeps <paramref name="chunk"/> (at body offset <paramref name="offset"/>) when asked, and the body's last 8 bytes.</summary>
    private void Keep(ReadOnlySpan<byte> chunk, long offset, bool keepBody)
    {
        Span<byte> tail = _tail;
        if (keepBody)
        {
            chunk.CopyTo(_body.AsSpan((int)offset));
        }

        if (chunk.Length >= 8)
        {
            chunk[^8..].CopyTo(tail);
        }
        else
        {
            tail[chunk.Length..].CopyTo(tail);
            chunk.CopyTo(tail[(8 - chunk.Length)..]);
        }
    }
}
