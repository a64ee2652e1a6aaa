using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using ZeroCopy;

namespace MediaServer.Http;

/// <summary>Request heads and the bytes received after them: the head buffer's whole life.</summary>
internal sealed partial class HttpExchange
{
    /// <summary>Bytes received after the head and not yet consumed: the start of a body, or a pipelined request.</summary>
    /// <remarks>Valid until <see cref="ConsumeBuffered"/> or the next receive on the connection.</remarks>
    public ReadOnlyMemory<byte> Buffered => _buffer is null ? default : _buffer.AsMemory(_start, _end - _start);

    /// <summary>Whether bytes of a next request (or of a body) are already buffered.</summary>
    internal bool HasBuffered => _start != _end;

    /// <summary>Marks the first <paramref name="count"/> buffered bytes as consumed (they were body bytes).</summary>
    public void ConsumeBuffered(int count)
    {
        Debug.Assert((uint)count <= (uint)(_end - _start), $"consumed {count} of {_end - _start} buffered bytes");
        _start += count;
    }

    /// <summary>
    /// Idle between requests: waits for data without holding a buffer, on the library's socket loop, which then runs this
    /// connection on its own thread (no thread-pool hand-off per request).
    /// </summary>
    /// <exception cref="OperationCanceledException">Nothing came within <paramref name="idle"/> (<see cref="TimedOut"/>), or the server stops.</exception>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    internal async ValueTask WaitForRequestAsync(TimeSpan idle)
    {
        ReturnBuffer();
        await SocketLoop.WaitReadableAsync(Socket, _timer.Start(idle)).ConfigureAwait(false);
        _timer.Stop();
    }

    /// <summary>Reads and parses the next request head within the head timeout, renting the buffer first if needed.</summary>
    /// <returns>The parse result; <see cref="HttpParseStatus.Incomplete"/> when the client closed first.</returns>
    /// <exception cref="OperationCanceledException">The head did not arrive in time (<see cref="TimedOut"/>), or the server stops.</exception>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    internal async ValueTask<HttpParseResult> ReadHeadAsync()
    {
        _buffer ??= ArrayPool<byte>.Shared.Rent(Limits.MaxHeadSize);
        CancellationToken token = _timer.Start(Limits.HeadTimeout);
        while (true)
        {
            HttpParseResult result = HttpRequestParser.Parse(_buffer.AsSpan(_start, _end - _start), Limits, _request, Strings);
            if (result.Status != HttpParseStatus.Incomplete)
            {
                _timer.Stop();
                return result;
            }

            if (_end == _buffer.Length)
            {
                // Only a head that started late in the buffer can get here (the parser rejects a full-size head):
                // move its first bytes to the front. This copies header bytes only, never a body.
                Debug.Assert(_start > 0, "a head as large as the buffer is rejected by the parser");
                _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
                _end -= _start;
                _start = 0;
            }

            int received = await SocketLoop.ReceiveAsync(Socket, _buffer.AsMemory(_end), token).ConfigureAwait(false);
            if (received == 0)
            {
                _timer.Stop();
                return HttpParseResult.Incomplete;
            }

            _end += received;
        }
    }

    /// <summary>Re-arms the timer after a head timed out, so that the 408 can still be sent.</summary>
    internal void ResetTimer() => _timer.Stop();

    /// <summary>Moves past a parsed head of <paramref name="headLength"/> bytes. Synchronous, no allocation.</summary>
    internal void ConsumeHead(int headLength)
    {
        _start += headLength;
        if (_start == _end)
        {
            // Nothing follows the head (no body bytes, no pipelined request): give the buffer back before the handler
            // runs. A request held for long (a blocking playlist reload) then holds none, and the pool gets it back on
            // the thread that rented it, where it is reused at once instead of a new one being allocated.
            ReturnBuffer();
        }
    }

    private void ReturnBuffer()
    {
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
            _start = _end = 0;
        }
    }
}
