using System.Net;
using System.Net.Sockets;
using System.Text;

/// <summary>A viewer of the continuous stream: GET /live/{channel}, then count every byte of the endless response.</summary>
internal sealed class StreamViewer
{
    public long Bytes;
    public bool DisconnectedEarly;

    public async Task RunAsync(int port, string channel, CancellationToken cancellationToken)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        byte[] buffer = new byte[64 * 1024];
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken);
            await socket.SendAsync(Encoding.ASCII.GetBytes($"GET /live/{channel} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"), SocketFlags.None, cancellationToken);
            bool headerDone = false;
            var header = new List<byte>();
            while (!cancellationToken.IsCancellationRequested)
            {
                int n = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
                if (n == 0)
                {
                    DisconnectedEarly = true;
                    return;
                }

                int body = 0;
                if (!headerDone)
                {
                    header.AddRange(buffer.AsSpan(0, n));
                    int end = IndexOfHeaderEnd(header);
                    if (end < 0)
                    {
                        continue;
                    }

                    headerDone = true;
                    body = header.Count - end;
                    if (!Encoding.ASCII.GetString(header.ToArray(), 0, 12).StartsWith("HTTP/1.1 200", StringComparison.Ordinal))
                    {
                        DisconnectedEarly = true;
                        return;
                    }
                }
                else
                {
                    body = n;
                }

                Interlocked.Add(ref Bytes, body);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (SocketException)
        {
            DisconnectedEarly = !cancellationToken.IsCancellationRequested;
        }
    }

    private static int IndexOfHeaderEnd(List<byte> header)
    {
        for (int i = 3; i < header.Count; i++)
        {
            if (header[i - 3] == '\r' && header[i - 2] == '\n' && header[i - 1] == '\r' && header[i] == '\n')
            {
                return i + 1;
            }
        }

        return -1;
    }
}
