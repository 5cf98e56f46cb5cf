namespace RtmpRelay.Core;

internal sealed partial class RtmpConnection
{
    private ITimer? _idleTimer;
    private long _lastRead;
    private volatile string? _idleReason;

    /// <summary>
    /// Watches for a peer silent past Relay:Limits:IdleTimeout. A read only stores a timestamp; the timer fires once
    /// per timeout and re-arms for what is left, instead of being reset on every read (a timer change per packet).
    /// </summary>
    private ITimer StartIdleWatch()
    {
        NoteRead();
        _idleTimer = _time.CreateTimer(static state => ((RtmpConnection)state!).OnIdleCheck(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _idleTimer.Change(_options.Limits.IdleTimeout, Timeout.InfiniteTimeSpan);
        return _idleTimer;
    }

    private void NoteRead() => Volatile.Write(ref _lastRead, _time.GetTimestamp());

    private void OnIdleCheck()
    {
        var timeout = _options.Limits.IdleTimeout;
        var quiet = _time.GetElapsedTime(Volatile.Read(ref _lastRead));
        var midMessage = _reader.IsMidMessage;
        // A player may stay silent; an encoder, or a peer that stopped in the middle of a message, may not.
        if (quiet < timeout || (!RequireTraffic && !midMessage))
        {
            try
            {
                _idleTimer!.Change(quiet < timeout ? timeout - quiet : timeout, Timeout.InfiniteTimeSpan);
            }
            catch (ObjectDisposedException)
            {
                // The connection ended just then.
            }
            return;
        }
        _idleReason = midMessage
            ? $"peer stopped in the middle of a message for {timeout.TotalSeconds:0.#} s"
            : $"peer sent nothing for {timeout.TotalSeconds:0.#} s";
        try
        {
            _transport.Input.CancelPendingRead();
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
