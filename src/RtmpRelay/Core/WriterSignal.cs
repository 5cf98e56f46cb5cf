using System.Threading.Tasks.Sources;

namespace RtmpRelay.Core;

/// <summary>
/// Wakes a connection's single write loop when any of its queues gets a message. Coalesces wake-ups and allocates
/// nothing per wait (a reusable value-task source instead of a task per wake-up, which would be one per message
/// on a quiet connection).
/// </summary>
/// <remarks>
/// The write loop resumes on the thread that calls <see cref="Set"/> (usually the publisher's read loop) and runs
/// until its next write would wait: fan-out costs no thread hand-off per message and destination, which the
/// profile showed to dominate. The loop only touches its own queues and transport, so running it there is safe.
/// </remarks>
internal sealed class WriterSignal : IValueTaskSource
{
    private const int Idle = 0;
    private const int Signalled = 1;
    private const int Waiting = 2;

    // The signals Set on this thread while it dispatches one read's messages; null when it is not deferring.
    [ThreadStatic] private static List<WriterSignal>? t_deferred;

    private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = false };
    private int _state;
    private volatile bool _isDeferred;

    public void Set()
    {
        if (t_deferred is { } deferred)
        {
            // Another thread may have it deferred too: either flush wakes the writer after this message was queued.
            if (!_isDeferred)
            {
                _isDeferred = true;
                deferred.Add(this);
            }
            return;
        }
        SetNow();
    }

    /// <summary>
    /// Until the deferral is disposed, <see cref="Set"/> on this thread only notes the signal; then each noted writer
    /// wakes once. A publisher's read loop defers while it dispatches the messages of one read, so a destination that
    /// gets two of them (an audio and a video frame that arrived together) sends both in one write. Synchronous code
    /// only: end it before an await, which may resume on another thread. Nested, the inner one does nothing.
    /// </summary>
    public static Deferral Defer()
    {
        if (t_deferred is not null)
        {
            return default;
        }
        var deferred = t_spare ?? [];
        t_spare = null;
        t_deferred = deferred;
        return new Deferral(deferred);
    }

    public readonly struct Deferral(List<WriterSignal> deferred) : IDisposable
    {
        public void Dispose()
        {
            if (deferred is null)
            {
                return;
            }
            t_deferred = null;
            // A writer woken here runs on this thread; its own Sets are not deferred any more.
            for (var i = 0; i < deferred.Count; i++)
            {
                var signal = deferred[i];
                signal._isDeferred = false;
                signal.SetNow();
            }
            deferred.Clear();
            t_spare = deferred;
        }
    }

    // The list of the last deferral on this thread, kept so the next one allocates nothing.
    [ThreadStatic] private static List<WriterSignal>? t_spare;

    private void SetNow()
    {
        while (true)
        {
            switch (Volatile.Read(ref _state))
            {
                case Signalled:
                    return;
                case Idle when Interlocked.CompareExchange(ref _state, Signalled, Idle) == Idle:
                    return;
                case Waiting when Interlocked.CompareExchange(ref _state, Idle, Waiting) == Waiting:
                    _core.SetResult(true);
                    return;
            }
        }
    }

    /// <summary>Completes when <see cref="Set"/> has been called since the last wait. One waiter at a time.</summary>
    public ValueTask WaitAsync()
    {
        if (Interlocked.CompareExchange(ref _state, Idle, Signalled) == Signalled)
        {
            return ValueTask.CompletedTask;
        }
        _core.Reset();
        if (Interlocked.CompareExchange(ref _state, Waiting, Idle) == Idle)
        {
            return new ValueTask(this, _core.Version);
        }
        // Signalled between the two steps: consume it.
        Volatile.Write(ref _state, Idle);
        return ValueTask.CompletedTask;
    }

    void IValueTaskSource.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
