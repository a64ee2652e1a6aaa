using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MediaServer.Tests.Infrastructure;

/// <summary>
/// A raw HTTP/1.1 client over one socket, for strict checks no library client allows: exact bytes on the wire,
/// malformed requests, pipelining, and whether the server closed the connection. Every read has a timeout.
/// </summary>
public sealed class RawHttpConnection : IDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    private readonly List<byte> _pending = [];

    private RawHttpConnection(Socket socket) => Socket = socket;

    public Socket Socket { get; }

    /// <summary>Connects to <paramref name="endPoint"/>, from <paramref name="local"/> when given (another loopback address, such as 127.0.0.2, is another client).</summary>
    public static async Task<RawHttpConnection> ConnectAsync(IPEndPoint endPoint, IPAddress? local = null)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        if (local is not null)
        {
            socket.Bind(new IPEndPoint(local, 0));
        }

        using var timeout = new CancellationTokenSource(DefaultTimeout);
        await socket.ConnectAsync(endPoint, timeout.Token);
        return new RawHttpConnection(socket);
    }

    /// <summary>One request with the usual fields: <c>METHOD target HTTP/1.1</c>, Host, then <paramref name="fields"/>.</summary>
    public static string Request(string method, string target, params string[] fields) =>
        $"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n" + string.Concat(fields.Select(f => f + "\r\n")) + "\r\n";

    public Task SendAsync(string text) => SendAsync(Encoding.Latin1.GetBytes(text));

    public async Task SendAsync(byte[] bytes)
    {
        using var timeout = new CancellationTokenSource(DefaultTimeout);
        for (int sent = 0; sent < bytes.Length;)
        {
            sent += await Socket.SendAsync(bytes.AsMemory(sent), SocketFlags.None, timeout.Token);
        }
    }

    /// <summary>Reads one response; the body by Content-Length, or to the end when there is none (close-delimited).</summary>
    public async Task<RawResponse> ReadResponseAsync(bool isHead = false, TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? DefaultTimeout);
        int headEnd;
        while ((headEnd = IndexOfHeadEnd()) < 0)
        {
            if (!await ReceiveMoreAsync(cancel.Token))
            {
                throw new EndOfStreamException($"connection closed before a complete response head ({_pending.Count} bytes: {Encoding.Latin1.GetString([.. _pending])})");
            }
        }

        string head = Encoding.Latin1.GetString(_pending.GetRange(0, headEnd).ToArray());
        _pending.RemoveRange(0, headEnd + 4);
        string[] lines = head.Split("\r\n");
        string[] statusLine = lines[0].Split(' ', 3);
        Assert.Equal("HTTP/1.1", statusLine[0]);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (string line in lines.Skip(1))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            Assert.True(colon > 0, $"malformed response field '{line}'");
            Assert.True(headers.TryAdd(line[..colon], line[(colon + 1)..].Trim()), $"duplicate response field '{line}'");
        }

        int status = int.Parse(statusLine[1], System.Globalization.CultureInfo.InvariantCulture);
        byte[] body;
        if (isHead || status is 204 or 304 or < 200)
        {
            body = [];
        }
        else if (headers.TryGetValue("Content-Length", out string? lengthText))
        {
            int length = int.Parse(lengthText, System.Globalization.CultureInfo.InvariantCulture);
            while (_pending.Count < length)
            {
                if (!await ReceiveMoreAsync(cancel.Token))
                {
                    throw new EndOfStreamException($"connection closed after {_pending.Count} of {length} body bytes");
                }
            }

            body = _pending.GetRange(0, length).ToArray();
            _pending.RemoveRange(0, length);
        }
        else
        {
            while (await ReceiveMoreAsync(cancel.Token))
            {
            }

            body = [.. _pending];
            _pending.Clear();
        }

        return new RawResponse(status, statusLine.Length > 2 ? statusLine[2] : string.Empty, headers, body, head);
    }

    /// <summary>Whether the server closes the connection (a receive returns 0 or resets) within <paramref name="timeout"/>.</summary>
    public async Task<bool> IsClosedByServerAsync(TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? DefaultTimeout);
        try
        {
            while (await ReceiveMoreAsync(cancel.Token))
            {
            }

            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (SocketException)
        {
            return true;
        }
    }

    public void Dispose() => Socket.Dispose();

    private async Task<bool> ReceiveMoreAsync(CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[64 * 1024];
        int received = await Socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
        _pending.AddRange(buffer.AsSpan(0, received));
        return received > 0;
    }

    private int IndexOfHeadEnd()
    {
        for (int i = 3; i < _pending.Count; i++)
        {
            if (_pending[i - 3] == '\r' && _pending[i - 2] == '\n' && _pending[i - 1] == '\r' && _pending[i] == '\n')
            {
                return i - 3;
            }
        }

        return -1;
    }
}

/// <summary>A response read by <see cref="RawHttpConnection"/>: status, fields (case-insensitive), body and the raw head.</summary>
public sealed record RawResponse(int Status, string Reason, IReadOnlyDictionary<string, string> Headers, byte[] Body, string Head)
{
    public string Text => Encoding.UTF8.GetString(Body);

    public string Header(string name) => Headers.TryGetValue(name, out string? value) ? value : throw new KeyNotFoundException($"no {name} in:\n{Head}");
}
