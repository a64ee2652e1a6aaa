namespace ZeroCopy.Benchmarks.Infrastructure;

/// <summary>
/// Viewers of a <see cref="LiveCache"/> that read everything as fast as they can, each on its own task, without copying:
/// <see cref="LiveReader.ReadAsync"/>, then <see cref="LiveReader.AdvanceTo"/> past the whole buffer.
/// </summary>
/// <remarks>
/// A viewer the writer cuts off (<see cref="LiveReaderLappedException"/>: it was still holding a buffer the writer had to
/// reuse) starts again with a new reader, as a player would reconnect; <see cref="Restarts"/> counts those.
/// </remarks>
internal sealed class LiveViewers : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _viewers;
    private long _bytesRead;
    private int _restarts;

    public LiveViewers(LiveCache cache, int count)
    {
        _viewers = new Task[count];
        for (int i = 0; i < count; i++)
        {
            _viewers[i] = Task.Run(() => ViewAsync(cache, _stop.Token));
        }
    }

    /// <summary>The bytes all viewers have read so far.</summary>
    public long BytesRead => Volatile.Read(ref _bytesRead);

    /// <summary>How many times a viewer was cut off and started again.</summary>
    public int Restarts => Volatile.Read(ref _restarts);

    /// <summary>Stops the viewers (the writer should have completed the cache first) and waits for them.</summary>
    public void Dispose()
    {
        _stop.Cancel();
        Task.WaitAll(_viewers, TimeSpan.FromSeconds(10));
        _stop.Dispose();
    }

    private async Task ViewAsync(LiveCache cache, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            using LiveReader reader = cache.CreateReader();
            try
            {
                while (true)
                {
                    LiveReadResult result = await reader.ReadAsync(stop).ConfigureAwait(false);
                    reader.AdvanceTo(result.Position + result.Buffer.Length);
                    Interlocked.Add(ref _bytesRead, result.Buffer.Length);
                    if (result.IsCompleted)
                    {
                        return;
                    }
                }
            }
            catch (LiveReaderLappedException)
            {
                Interlocked.Increment(ref _restarts);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
        }
    }
}
