namespace RtmpRelay.Core;

internal sealed partial class RtmpConnection
{
    private readonly Lock _deadlineGate = new();
    private ITimer? _deadlineTimer;
    private TimeSpan _deadlineTimeout;
    private string? _deadlineReason;
    private long _lastProgress;

    /// <summary>
    /// Closes the connection (as a protocol error, with <paramref name="reason"/>) unless <see cref="Progress"/> is called
    /// at least every <paramref name="timeout"/>, counted from now. Replaces the deadline armed before.
    /// </summary>
    /// <remarks>
    /// For waits the peer controls above the message layer: the connect-and-publish-or-play after the handshake, and
    /// media from a publisher. <see cref="Progress"/> only stores a timestamp, so it can be called per message.
    /// </remarks>
    public void ArmDeadline(TimeSpan timeout, string reason)
    {
        lock (_deadlineGate)
        {
            _deadlineTimeout = timeout;
            _deadlineReason = reason;
            Volatile.Write(ref _lastProgress, _time.GetTimestamp());
            _deadlineTimer ??= _time.CreateTimer(static state => ((RtmpConnection)state!).OnDeadline(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _deadlineTimer.Change(timeout, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>The peer did what the deadline waits for: the deadline starts again from now.</summary>
    public void Progress() => Volatile.Write(ref _lastProgress, _time.GetTimestamp());

    public void DisarmDeadline()
    {
        lock (_deadlineGate)
        {
            _deadlineReason = null;
            _deadlineTimer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
    }

    private void OnDeadline()
    {
        string reason;
        lock (_deadlineGate)
        {
            if (_deadlineReason is null || _deadlineTimer is null)
            {
                return;
            }
            var quiet = _time.GetElapsedTime(Volatile.Read(ref _lastProgress));
            if (quiet < _deadlineTimeout)
            {
                _deadlineTimer.Change(_deadlineTimeout - quiet, Timeout.InfiniteTimeSpan); // progress came: wait the rest
                return;
            }
            reason = _deadlineReason;
            _deadlineReason = null;
        }
        SetReason(reason, protocolError: true);
        Close(reason);
    }

    private void DisposeDeadline()
    {
        lock (_deadlineGate)
        {
            _deadlineReason = null;
            _deadlineTimer?.Dispose();
            _deadlineTimer = null;
        }
    }
}
