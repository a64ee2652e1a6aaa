using System.Buffers;
using System.Text;
using ZeroCopy;

namespace MediaServer.Http;

/// <summary>Responses: the head written into the connection's one writer, then sent with its body's first bytes or a cache's range.</summary>
internal sealed partial class HttpExchange
{
    /// <summary>Starts the response head (status line, Date, Server); add fields, then <see cref="SendHeadAsync"/>.</summary>
    public ResponseHead StartResponse(int status) => _head.Start(status);

    /// <summary>Ends the head started with <see cref="StartResponse"/> (adding <c>Connection: close</c> when closing) and sends it.</summary>
    public ValueTask SendHeadAsync() => SendHeadAsync(ReadOnlyMemory<byte>.Empty);

    /// <summary>
    /// Ends the head started with <see cref="StartResponse"/> (adding <c>Connection: close</c> when closing) and sends it
    /// followed by <paramref name="bodyStart"/>, the first bytes of the body (the caller counts them in
    /// <see cref="BodyBytesSent"/>): gathered with the head in one system call on the library's socket loop, so the
    /// response leaves in one packet rather than a small one for the head and another for the body. No copy.
    /// </summary>
    public ValueTask SendHeadAsync(ReadOnlyMemory<byte> bodyStart) =>
        Socket.SendWithHeadAsync(FinishHead(), new ReadOnlySequence<byte>(bodyStart), Limits.SendOptions, Stopping);

    /// <summary>
    /// Ends the head started with <see cref="StartResponse"/> and sends it followed by <c>[offset, offset + length)</c> of
    /// <paramref name="cache"/>, straight from the cache (a short range in the head's system call, a long one with
    /// <c>sendfile(2)</c> from a mapped cache), under the stall timeout; counts the range in <see cref="BodyBytesSent"/>.
    /// </summary>
    public async ValueTask SendHeadAndRangeAsync(VideoCache cache, long offset, long length)
    {
        await cache.SendWithHeadAsync(Socket, FinishHead(), offset, length, Limits.SendOptions, Stopping).ConfigureAwait(false);
        BodyBytesSent += length;
    }

    private ReadOnlyMemory<byte> FinishHead()
    {
        ResponseHead head = _head;
        if (!KeepAlive)
        {
            head.Add("Connection", "close");
        }

        Status = head.Status;
        return head.Finish();
    }

    /// <summary>Sends a complete response with a small body the server produced (a page, a playlist, JSON, an error text).</summary>
    public ValueTask SendContentAsync(int status, string contentType, ReadOnlyMemory<byte> body, Action<ResponseHead>? addFields = null) =>
        SendContentAsync(status, contentType, body, addFields, static (head, add) => add?.Invoke(head));

    /// <summary>
    /// Sends a complete response with a small body, its extra fields added by <paramref name="addFields"/> from
    /// <paramref name="state"/>: with a static lambda, no closure is made per response.
    /// </summary>
    public async ValueTask SendContentAsync<TState>(int status, string contentType, ReadOnlyMemory<byte> body, TState state, Action<ResponseHead, TState> addFields)
    {
        ResponseHead head = StartResponse(status).Add("Content-Type", contentType).Add("Content-Length", body.Length);
        addFields(head, state);
        ReadOnlyMemory<byte> sent = Request.IsHead ? ReadOnlyMemory<byte>.Empty : body;
        await SendHeadAsync(sent).ConfigureAwait(false);
        BodyBytesSent += sent.Length;
    }

    /// <summary>
    /// Evaluates the request's preconditions against <paramref name="validators"/> (<see cref="Preconditions.Evaluate"/>)
    /// and answers when one stops the request: <c>304 Not Modified</c> with the validators and no body (the client holds
    /// this very representation, so a Range is moot), or <c>412 Precondition Failed</c>.
    /// </summary>
    /// <returns><see langword="true"/> when it answered; <see langword="false"/>, having sent nothing, when the request goes on.</returns>
    public async ValueTask<bool> TryAnswerPreconditionsAsync(Validators validators)
    {
        switch (Preconditions.Evaluate(Request, validators))
        {
            case PreconditionOutcome.NotModified:
                validators.AddTo(StartResponse(HttpStatus.NotModified));
                await SendHeadAsync().ConfigureAwait(false);
                return true;
            case PreconditionOutcome.Failed:
                await SendPreconditionFailedAsync(validators).ConfigureAwait(false);
                return true;
            default:
                return false;
        }
    }

    // Its own method: the lambda's closure over the validators would otherwise be made for every request, at the caller's start.
    private ValueTask SendPreconditionFailedAsync(Validators validators) =>
        SendErrorAsync(HttpStatus.PreconditionFailed, "a precondition (If-Match, If-Unmodified-Since or If-None-Match) failed", addFields: head => validators.AddTo(head));

    /// <summary>
    /// Sends 416 with <c>Content-Range: bytes */SIZE</c> (RFC 9110 section 15.5.17) for a representation of
    /// <paramref name="size"/> bytes, and <paramref name="message"/> as its text.
    /// </summary>
    /// <remarks>
    /// A method of its own so that a handler passes the size, not a lambda: a lambda capturing a handler's local would
    /// have its closure made at the handler's start, on every request, even one answered 206.
    /// </remarks>
    public ValueTask SendRangeNotSatisfiableAsync(string message, long size) =>
        SendContentAsync(HttpStatus.RangeNotSatisfiable, "text/plain; charset=utf-8", ErrorBody(HttpStatus.RangeNotSatisfiable, message), size,
            static (head, size) => head.Add("Content-Range", $"bytes */{size}").Add("Accept-Ranges", "bytes"));

    /// <summary>Sends an error response with a one-line text body; <paramref name="close"/> also ends the connection.</summary>
    public ValueTask SendErrorAsync(int status, string message, bool close = false, Action<ResponseHead>? addFields = null)
    {
        if (close)
        {
            KeepAlive = false;
        }

        return SendContentAsync(status, "text/plain; charset=utf-8", ErrorBody(status, message), addFields);
    }

    private static byte[] ErrorBody(int status, string message) => Encoding.UTF8.GetBytes($"{status} {HttpStatus.ReasonPhrase(status)}: {message}\n");
}
