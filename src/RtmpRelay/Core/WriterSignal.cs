namespace RtmpRelay.Core;

/// <summary>Wakes a connection's single write loop when any of its queues gets a message. Coalesces wake-ups.</summary>
internal sealed class WriterSignal
{
    private readonly SemaphoreSlim _semaphore = new(0, 1);
    private int _signalled;

    public void Set()
    {
        if (Interlocked.Exchange(ref _signalled, 1) == 0)
        {
            _semaphore.Release();
        }
    }

    public async ValueTask WaitAsync(CancellationToken cancellationToken)
    {
        await _semaphore.WaitAsync(cancellationToken).ConfigureAwait(false);
        // Cleared before the writer drains, so a message queued from now on signals again.
        Volatile.Write(ref _signalled, 0);
    }
}
