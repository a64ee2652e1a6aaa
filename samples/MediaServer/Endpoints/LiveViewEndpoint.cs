using System.Net.Sockets;
using MediaServer.Diagnostics;
using MediaServer.Hosting;
using MediaServer.Http;
using MediaServer.Live;
using Microsoft.Extensions.Logging;
using ZeroCopy;

namespace MediaServer.Endpoints;

/// <summary>
/// GET|HEAD /live/{name}[?t=…] : a continuous MPEG-TS response (close-delimited) that starts at the channel's newest sync
/// point (PAT, PMT, then a keyframe), or at the keyframe of a time-shift (<see cref="TimeShiftQuery"/>), and is sent
/// straight from the channel's ring with <see cref="LiveReader.SendToAsync"/>.
/// </summary>
/// <remarks>
/// Each viewer has its own reader: a slow viewer only falls behind in the ring, never holds the publisher or the other
/// viewers back. One that falls a ring behind skips ahead to a sync point; one whose socket stops draining while the
/// ring needs its bytes is cut off by the cache. A viewer that makes no progress for the stall timeout is dropped.
/// </remarks>
internal sealed class LiveViewEndpoint(LiveChannelRegistry channels, ILogger logger)
{
    public async ValueTask HandleAsync(HttpExchange exchange, string name)
    {
        if (!channels.TryGet(name, out LiveChannel? channel))
        {
            await exchange.SendErrorAsync(HttpStatus.NotFound, $"no live channel '{name}' is being published").ConfigureAwait(false);
            return;
        }

        if (!exchange.TryParseQuery(out IReadOnlyDictionary<string, string> query) || !TimeShiftQuery.TryParse(query, out TimeShiftQuery? shift))
        {
            await exchange.SendErrorAsync(HttpStatus.BadRequest, "expected t=-SECONDS or t=HH:MM:SS:FF[&fps=N]").ConfigureAwait(false);
            return;
        }

        if (exchange.Request.IsHead)
        {
            await SendHeadAsync(exchange).ConfigureAwait(false);
            return;
        }

        // A time-shifted join starts at the keyframe the ring's index gives for the time; a reader created there that the
        // writer reclaims before its first send skips to the newest keyframe, like any lagging viewer.
        SyncPoint? start = null;
        if (shift is TimeShiftQuery timeShift && channel.TryHold())
        {
            try
            {
                if (!timeShift.TryResolve(channel.Cache, out SyncPoint found))
                {
                    await exchange.SendErrorAsync(HttpStatus.NotFound, $"the ring of '{name}' holds no keyframe at {timeShift}").ConfigureAwait(false);
                    return;
                }

                start = found;
            }
            finally
            {
                channel.ReleaseHold();
            }
        }

        LiveReader? reader = channel.TryAddViewer(start);
        if (reader is null)
        {
            await exchange.SendErrorAsync(HttpStatus.NotFound, $"live channel '{name}' just ended").ConfigureAwait(false);
            return;
        }

        await StreamToViewerAsync(exchange, name, channel, reader).ConfigureAwait(false);
    }

    /// <summary>
    /// Sends the channel from <paramref name="reader"/> until the stream ends, the viewer leaves, stalls or is cut off, or
    /// the server stops; then logs why and removes the viewer.
    /// </summary>
    private async ValueTask StreamToViewerAsync(HttpExchange exchange, string name, LiveChannel channel, LiveReader reader)
    {
        string remote = exchange.Socket.RemoteEndPoint?.ToString() ?? "?";
        ServerLog.ViewerJoined(logger, name, remote, channel.ViewerCount);
        string? reason = null;
        Exception? failure = null;
        using var viewing = CancellationTokenSource.CreateLinkedTokenSource(exchange.Stopping);
        Task<bool> leaving = Task.FromResult(false);
        try
        {
            exchange.KeepAlive = false; // The body ends when the connection does.
            await SendHeadAsync(exchange).ConfigureAwait(false);
            leaving = WatchForLeavingAsync(exchange.Socket, viewing);
            while (true)
            {
                viewing.CancelAfter(exchange.Limits.StallTimeout);
                long sent = await reader.SendToAsync(exchange.Socket, viewing.Token).ConfigureAwait(false);
                viewing.CancelAfter(Timeout.InfiniteTimeSpan);
                if (sent == 0)
                {
                    reason = "the stream ended"; // The publisher ended and everything was sent.
                    break;
                }

                exchange.BodyBytesSent += sent;
            }
        }
        catch (LiveReaderLappedException)
        {
            reason = "cut off: it fell a whole ring behind while its socket was not draining";
        }
        catch (Exception e) when (SocketErrors.IsDisconnect(e))
        {
            failure = e;
        }
        catch (IOException e)
        {
            reason = "the publisher failed: " + (e.InnerException?.Message ?? e.Message);
        }
        finally
        {
            await viewing.CancelAsync().ConfigureAwait(false);
            bool left = await leaving.ConfigureAwait(false);
            reason ??= exchange.Stopping.IsCancellationRequested ? "the server is stopping"
                : left ? "the viewer left"
                : failure is OperationCanceledException ? $"no progress for {exchange.Limits.StallTimeout.TotalSeconds:0} s"
                : failure?.Message ?? "unknown";
            ServerLog.ViewerLeft(logger, name, remote, exchange.BodyBytesSent, reader.SkipCount, reason);
            channel.RemoveViewer(reader);
        }
    }

    private static ValueTask SendHeadAsync(HttpExchange exchange)
    {
        exchange.StartResponse(HttpStatus.Ok)
            .Add("Content-Type", "video/mp2t")
            .Add("Cache-Control", "no-cache, no-store")
            .Add("X-Content-Type-Options", "nosniff");
        return exchange.SendHeadAsync();
    }

    /// <summary>
    /// A viewer sends nothing after its request, so a receive that completes means it left (0 bytes, or a reset): cancel
    /// the viewing then, instead of waiting for the next send to fail.
    /// </summary>
    /// <returns><see langword="true"/> when the viewer left; <see langword="false"/> when the viewing ended first.</returns>
    private static async Task<bool> WatchForLeavingAsync(Socket socket, CancellationTokenSource viewing)
    {
        byte[] probe = new byte[1];
        try
        {
            await socket.ReceiveAsync(probe, SocketFlags.None, viewing.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (Exception e) when (SocketErrors.IsDisconnect(e) || e is SocketException)
        {
            // The connection failed: the viewer is gone too.
        }

        await viewing.CancelAsync().ConfigureAwait(false);
        return true;
    }
}
