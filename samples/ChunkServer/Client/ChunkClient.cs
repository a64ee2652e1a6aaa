using System.Net;
using System.Net.Sockets;
using ChunkServer.Protocol;
using ZeroCopy;

namespace ChunkServer.Client;

/// <summary>
/// The client side of <c>request_chunk</c>: one TCP connection, many requests; each chunk is received straight into
/// the caller's memory (<see cref="SocketExtensions.ReceiveFullyAsync"/>), never through a temporary buffer.
/// </summary>
public sealed class ChunkClient : IDisposable
{
    private readonly Socket _socket;
    private readonly byte[] _request = new byte[ChunkRequest.MaxLength];
    private readonly byte[] _header = new byte[ChunkResponseHeader.Size];

    private ChunkClient(Socket socket) => _socket = socket;

    /// <summary>Connects to a chunk server.</summary>
    public static async Task<ChunkClient> ConnectAsync(IPEndPoint server, CancellationToken cancellationToken = default)
    {
        var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(server, cancellationToken);
            return new ChunkClient(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Asks for <c>size</c> bytes of <paramref name="videoId"/> at <paramref name="byteOffset"/> and receives them into
    /// the start of <paramref name="destination"/>.
    /// </summary>
    /// <returns>The response header: on <see cref="ChunkStatus.Ok"/> the first <c>Length</c> bytes of <paramref name="destination"/> hold the chunk.</returns>
    /// <exception cref="EndOfStreamException">The server closed the connection mid-response.</exception>
    public async Task<ChunkResponseHeader> RequestChunkAsync(string videoId, long byteOffset, Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        int length = new ChunkRequest(videoId, byteOffset, destination.Length).Encode(_request);
        await _socket.SendAsync(_request.AsMemory(0, length), SocketFlags.None, cancellationToken);

        if (await _socket.ReceiveFullyAsync(_header, cancellationToken) < _header.Length)
        {
            throw new EndOfStreamException("The server closed the connection before answering.");
        }

        ChunkResponseHeader header = ChunkResponseHeader.Decode(_header);
        if (header.Status == ChunkStatus.Ok)
        {
            int received = await _socket.ReceiveFullyAsync(destination[..checked((int)header.Length)], cancellationToken);
            if (received < header.Length)
            {
                throw new EndOfStreamException($"The server closed the connection after {received} of {header.Length} bytes.");
            }
        }

        return header;
    }

    /// <inheritdoc />
    public void Dispose() => _socket.Dispose();
}
