using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Http;

namespace ZeroCopy.AspNetCore;

/// <summary>
/// Writes bytes into <see cref="HttpResponse.BodyWriter"/> in bounded, flushed pieces, and turns a client that left into
/// a normal end: one home for the copy into Kestrel's pipe and for the disconnect rules both results follow.
/// </summary>
internal static class ResponseBody
{
    /// <summary>
    /// The most bytes written before each flush. Large enough that flushing costs little per byte, small enough that a
    /// connection holds at most this much in Kestrel's pipe beyond Kestrel's own response buffer.
    /// </summary>
    public const int PieceSize = 256 * 1024;

    /// <summary>
    /// Copies <paramref name="body"/> into the response pipe, <see cref="PieceSize"/> bytes per flush. One copy per byte:
    /// from <paramref name="body"/>'s memory into the pipe's; Kestrel sends from there.
    /// </summary>
    /// <param name="context">The exchange; its <see cref="HttpContext.RequestAborted"/> ends the copy.</param>
    /// <param name="body">The bytes; must stay valid until the returned task completes.</param>
    /// <returns><see langword="true"/> when every byte was written; <see langword="false"/> when the client left first (the connection is then aborted).</returns>
    public static async Task<bool> WriteAsync(HttpContext context, ReadOnlySequence<byte> body)
    {
        PipeWriter writer = context.Response.BodyWriter;
        CancellationToken aborted = context.RequestAborted;
        try
        {
            while (!body.IsEmpty)
            {
                ReadOnlySequence<byte> piece = body.Slice(0, Math.Min(body.Length, PieceSize));
                foreach (ReadOnlyMemory<byte> memory in piece)
                {
                    writer.Write(memory.Span);
                }

                body = body.Slice(piece.End);
                if (!await FlushAsync(context, writer, aborted).ConfigureAwait(false))
                {
                    return false;
                }
            }

            return true;
        }
        catch (Exception e) when (IsClientGone(e, aborted))
        {
            context.Abort();
            return false;
        }
    }

    /// <summary>
    /// Flushes what was written. Returns <see langword="false"/> (after aborting the connection, so that Kestrel does not
    /// report a body shorter than its <c>Content-Length</c>) when the client has left.
    /// </summary>
    public static async ValueTask<bool> FlushAsync(HttpContext context, PipeWriter writer, CancellationToken aborted)
    {
        FlushResult flushed = await writer.FlushAsync(aborted).ConfigureAwait(false);
        if (flushed.IsCompleted || flushed.IsCanceled)
        {
            context.Abort();
            return false;
        }

        return true;
    }

    /// <summary>
    /// Whether <paramref name="exception"/> only says that the client left: the request was aborted (a canceled flush or
    /// wait), or the connection failed underneath (Kestrel's <c>ConnectionResetException</c> is an <see cref="IOException"/>).
    /// </summary>
    public static bool IsClientGone(Exception exception, CancellationToken aborted) =>
        aborted.IsCancellationRequested && exception is OperationCanceledException or IOException;
}
