namespace RtmpRelay.Streams;

internal sealed partial class LiveStream
{
    private readonly TimeProvider _time;
    private IStreamPublisher? _publisher;
    private ITimer? _bridgeTimer;
    private long _leftAt;
    private DateTimeOffset _publisherSince;
    private long _offset; // added to the publisher's timestamps
    private long _lastTimestamp = -1; // the latest timestamp relayed, rebased
    private bool _rebasePending;
    private bool _resumeAtKeyframe;
    private bool _resumeVideoHeader;
    private bool _resumeAudioHeader;
    private bool _resumeMetadata;

    /// <summary>Who publishes it now; null while it waits for its publisher to come back.</summary>
    public IStreamPublisher? Publisher
    {
        get
        {
            lock (_gate)
            {
                return _publisher;
            }
        }
    }

    /// <summary>When the current publisher started (or the last one left, while the stream waits).</summary>
    public DateTimeOffset PublisherSince
    {
        get
        {
            lock (_gate)
            {
                return _publisherSince;
            }
        }
    }

    /// <summary>The publisher left and the stream waits, within its grace, for one to come back.</summary>
    public bool IsBridging
    {
        get
        {
            lock (_gate)
            {
                return _publisher is null && !IsEnded;
            }
        }
    }

    /// <summary>
    /// A publisher for this stream's name: it continues the stream if the stream waits for one, or if
    /// <paramref name="takeOver"/> allows it to replace the current one (returned in <paramref name="replaced"/>).
    /// </summary>
    public bool TryContinue(IStreamPublisher publisher, bool takeOver, out IStreamPublisher? replaced)
    {
        lock (_gate)
        {
            replaced = _publisher;
            if (IsEnded || (_publisher is not null && !takeOver))
            {
                return false;
            }
            if (_publisher is null)
            {
                _bridgeTimer?.Dispose();
                _bridgeTimer = null;
            }
            else
            {
                _leftAt = _time.GetTimestamp();
            }
            _publisher = publisher;
            _publisherSince = _time.GetUtcNow();
            _rebasePending = _lastTimestamp >= 0;
            _resumeAtKeyframe = _hasVideo;
            _resumeVideoHeader = _resumeAudioHeader = _resumeMetadata = true;
            return true;
        }
    }

    /// <summary>
    /// <paramref name="publisher"/> stopped. False when it no longer published this stream (it was taken over);
    /// otherwise the stream waits for <paramref name="grace"/>, then <paramref name="expired"/> runs unless a publisher came back.
    /// </summary>
    public bool TryBeginBridge(IStreamPublisher publisher, TimeSpan grace, Action<LiveStream> expired)
    {
        lock (_gate)
        {
            if (IsEnded || _publisher != publisher)
            {
                return false;
            }
            _publisher = null;
            _leftAt = _time.GetTimestamp();
            _publisherSince = _time.GetUtcNow();
            _bridgeTimer = _time.CreateTimer(_ => ExpireBridge(expired), null, grace, Timeout.InfiniteTimeSpan);
            return true;
        }
    }

    private void ExpireBridge(Action<LiveStream> expired)
    {
        lock (_gate)
        {
            if (IsEnded || _publisher is not null)
            {
                return;
            }
        }
        expired(this);
    }

    /// <summary>
    /// The timestamp relayed for <paramref name="timestamp"/>. After a reconnect, the first message sets the offset so
    /// the new run starts where the last one stopped plus the time in between: time never goes back for a destination.
    /// </summary>
    private uint Rebase(uint timestamp)
    {
        if (_rebasePending)
        {
            _rebasePending = false;
            var away = (long)Math.Max(1, _time.GetElapsedTime(_leftAt).TotalMilliseconds);
            _offset = _lastTimestamp + away - timestamp;
        }
        var rebased = Math.Max(0, timestamp + _offset);
        _lastTimestamp = Math.Max(_lastTimestamp, rebased);
        return (uint)rebased;
    }
}
