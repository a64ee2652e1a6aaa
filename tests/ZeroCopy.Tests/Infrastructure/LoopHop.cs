using System.Net.Sockets;

namespace ZeroCopy.Tests.Infrastructure;

/// <summary>Moves the calling async code onto the socket loop's thread, as a server connection's code runs there.</summary>
internal static class LoopHop
{
    /// <summary>
    /// Waits for a byte on <paramref name="pair"/>'s server socket, which the client sends a moment later: the code after
    /// this call runs on the server socket's loop thread. A byte that the loop reports before the awaiter is registered
    /// completes the wait on the calling thread instead; then it tries again (bounded). With the loop off, one round trip
    /// through the framework.
    /// </summary>
    public static async Task MoveOntoLoopAsync(LoopbackSocketPair pair)
    {
        byte[] one = new byte[1];
        for (int attempt = 0; attempt < 20; attempt++)
        {
            // The byte leaves a little later, from another thread, so that this awaiter is registered before it lands.
            _ = Task.Run(async () =>
            {
                await Task.Delay(10).ConfigureAwait(false);
                pair.Client.Send(one);
            });
            await SocketLoop.WaitReadableAsync(pair.Server, CancellationToken.None).ConfigureAwait(false);
            bool onLoop = SocketLoop.IsLoopThread; // not awaiting the sender: its completion would move this code off the loop
            if (onLoop || !SocketLoop.IsEnabled)
            {
                Assert.Equal(1, await SocketLoop.ReceiveAsync(pair.Server, one, CancellationToken.None).ConfigureAwait(false)); // at once: the byte is there
                return;
            }

            Assert.Equal(1, await SocketLoop.ReceiveAsync(pair.Server, one, CancellationToken.None).ConfigureAwait(false));
        }
    }
}
