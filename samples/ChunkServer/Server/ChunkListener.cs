using System.Net;
using System.Net.Sockets;
using ChunkServer.Protocol;
using ZeroCopy;

namespace ChunkServer.Server;

/// <summary>
/// Accepts TCP connections and answers chunk requests from a <see cref="VideoLibrary"/>: every chunk goes to the
/// socket straight from the cache's memory (<see cref="VideoCache.SendToAsync"/>), never through a copy.
/// </summary>
public sealed class ChunkListener : IAsyncDisposable
{
    private readonly VideoLibrary _library;
    private readonly ChunkServerOptions _options;
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stopping = new();
    private readonly HashSet<Task> _connections = [];
    private Task? _acceptLoop;

    /// <summary>Binds to <paramref name="endpoint"/> (port 0 picks a free port) and starts accepting.</summary>
    public ChunkListener(VideoLibrary library, IPEndPoint endpoint, ChunkServerOptions? options = null)
    {
        _library = library;
        _options = options ?? new ChunkServerOptions();
        _listener = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            _listener.Bind(endpoint);
            _listener.Listen(512);
        }
        catch
        {
            _listener.Dispose();
            throw;
        }

        LocalEndPoint = (IPEndPoint)_listener.LocalEndPoint!;
        _acceptLoop = AcceptLoopAsync();
    }

    /// <summary>The bound address and port.</summary>
    public IPEndPoint LocalEndPoint { get; }

    /// <summary>Completes when the server has stopped (after <see cref="DisposeAsync"/>).</summary>
    public Task Completion => _acceptLoop ?? Task.CompletedTask;

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                break;
            }

            client.NoDelay = true;
            Task connection = ServeAsync(client);
            lock (_connections)
            {
                _connections.Add(connection);
            }

            _ = connection.ContinueWith(
                (done, state) =>
                {
                    var set = (HashSet<Task>)state!;
                    lock (set)
                    {
                        set.Remove(done);
                    }
                },
                _connections,
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }

    private async Task ServeAsync(Socket client)
    {
        using Socket socket = client;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        byte[] request = new byte[ChunkRequest.MaxLength];
        byte[] header = new byte[ChunkResponseHeader.Size];
        try
        {
            while (true)
            {
                deadline.CancelAfter(_options.IdleTimeout);
                if (await socket.ReceiveFullyAsync(request.AsMemory(0, 1), deadline.Token) == 0)
                {
                    return; // The client is done: a normal end.
                }

                int idLength = request[0];
                if (idLength == 0)
                {
                    await RejectAsync(socket, header, deadline.Token);
                    return;
                }

                int rest = idLength + ChunkRequest.TailLength;
                if (await socket.ReceiveFullyAsync(request.AsMemory(1, rest), deadline.Token) < rest)
                {
                    return; // Closed mid-request.
                }

                ChunkRequest chunk = ChunkRequest.Decode(request.AsSpan(1, rest));
                if (!await AnswerAsync(socket, header, chunk, deadline.Token))
                {
                    return;
                }

                // Reuse the token source for the next request; a fresh one only if it already fired.
                if (!deadline.TryReset())
                {
                    return;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Idle timeout, shutdown, or the client vanished mid-response: close this connection, nothing else.
        }
    }

    /// <summary>Answers one request; returns false when the connection must close.</summary>
    private async ValueTask<bool> AnswerAsync(Socket socket, byte[] header, ChunkRequest chunk, CancellationToken cancellationToken)
    {
        if (chunk.Size < 0 || chunk.Size > _options.MaxChunkSize)
        {
            await RejectAsync(socket, header, cancellationToken);
            return false;
        }

        if (!_library.TryGet(chunk.VideoId, out VideoCache cache))
        {
            await SendHeaderAsync(socket, header, new(ChunkStatus.NotFound, 0), cancellationToken);
            return true;
        }

        if (chunk.ByteOffset < 0 || chunk.ByteOffset > cache.Capacity - chunk.Size)
        {
            await SendHeaderAsync(socket, header, new(ChunkStatus.OutOfRange, cache.Capacity), cancellationToken);
            return true;
        }

        await SendHeaderAsync(socket, header, new(ChunkStatus.Ok, chunk.Size), cancellationToken);
        await cache.SendToAsync(socket, chunk.ByteOffset, chunk.Size, cancellationToken);
        return true;
    }

    /// <summary>
    /// Answers a bad request and closes gracefully: closing with unread input would reset the connection, and a
    /// reset can destroy the answer before the client reads it. So: send, shut down our side, drain a little, close.
    /// </summary>
    private static async ValueTask RejectAsync(Socket socket, byte[] header, CancellationToken cancellationToken)
    {
        await SendHeaderAsync(socket, header, new(ChunkStatus.BadRequest, 0), cancellationToken);
        socket.Shutdown(SocketShutdown.Send);
        using var drain = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        drain.CancelAfter(TimeSpan.FromSeconds(1));
        byte[] sink = new byte[4096];
        for (int i = 0; i < 16 && await socket.ReceiveAsync(sink, SocketFlags.None, drain.Token) > 0; i++)
        {
        }
    }

    private static async ValueTask SendHeaderAsync(Socket socket, byte[] buffer, ChunkResponseHeader header, CancellationToken cancellationToken)
    {
        header.Encode(buffer);
        await socket.SendAsync(buffer.AsMemory(), SocketFlags.None, cancellationToken);
    }

    /// <summary>Stops accepting, closes every connection and waits for them to finish.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Dispose();
        Task[] running;
        lock (_connections)
        {
            running = [.. _connections];
        }

        await Task.WhenAll(running.Append(Completion));
        _stopping.Dispose();
    }
}
