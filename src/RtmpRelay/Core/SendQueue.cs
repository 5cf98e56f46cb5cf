using RtmpRelay.Protocol.Chunks;

namespace RtmpRelay.Core;

/// <summary>
/// The bounded queue of chunked messages waiting to be written to one peer. Control messages, metadata and
/// sequence headers are always taken. When media would push the queue past its byte budget, media is dropped
/// until the next keyframe finds room again, so a slow peer loses whole GOPs, never part of one, and never
/// stalls the publisher or any other peer. Media is also refused while the relay-wide <see cref="QueueBudget"/> is
/// spent. A peer that loses more than its allowance of GOPs in a row is too slow for the stream: the queue then
/// says <see cref="Overflowed"/> and the connection draining it closes.
/// </summary>
internal sealed class SendQueue
{
    private readonly Queue<(ChunkedMessage Message, int Generation)> _messages = new();
    private readonly Lock _gate = new();
    private readonly int _maxBytes;
    private readonly int _maxLostGops;
    private QueueBudget _budget = QueueBudget.Unlimited;
    private WriterSignal? _signal;
    private int _lostGops; // keyframes refused in a row since media was last admitted
    private long _queuedBytes;
    private bool _waitingForKeyframe;
    private bool _joining; // waiting for the first keyframe: skipping is not dropping
    private bool _completed;
    private long _dropped;
    private uint _lastQueuedTimestamp;
    private uint _lastTakenTimestamp;

    /// <param name="maxLostGops">GOPs lost in a row after which the queue overflows (default: never).</param>
    public SendQueue(int maxBytes, int maxLostGops = int.MaxValue)
    {
        _maxBytes = maxBytes;
        _maxLostGops = maxLostGops;
    }

    /// <summary>The relay-wide budget this queue's bytes count against; set before media flows.</summary>
    public QueueBudget Budget
    {
        set
        {
            lock (_gate)
            {
                _budget.Remove((int)_queuedBytes);
                _budget = value;
                _budget.Add((int)_queuedBytes);
            }
        }
    }

    /// <summary>True once the peer lost more GOPs in a row than allowed: it cannot keep up and is to be dropped.</summary>
    public bool Overflowed { get { lock (_gate) { return _lostGops > _maxLostGops; } } }

    /// <summary>GOPs lost in a row so far.</summary>
    public int LostGopsInARow { get { lock (_gate) { return _lostGops; } } }

    public long QueuedBytes { get { lock (_gate) { return _queuedBytes; } } }
    public long DroppedMessages { get { lock (_gate) { return _dropped; } } }

    public bool IsEmpty { get { lock (_gate) { return _messages.Count == 0; } } }

    /// <summary>How far behind the peer is, in stream time: the last media timestamp queued minus the last one taken.</summary>
    public long LagMilliseconds
    {
        get
        {
            lock (_gate)
            {
                return _messages.Count == 0 ? 0 : Math.Max(0, (long)_lastQueuedTimestamp - _lastTakenTimestamp);
            }
        }
    }

    /// <summary>Connects the queue to the write loop that drains it.</summary>
    public void AttachWriter(WriterSignal signal)
    {
        _signal = signal;
        signal.Set();
    }

    /// <summary>Queues <paramref name="message"/> (taking a reference of its own) unless the drop policy refuses it.</summary>
    public bool TryEnqueue(ChunkedMessage message)
    {
        var admitted = false;
        lock (_gate)
        {
            if (_completed)
            {
                return false;
            }
            if (!Admit(message))
            {
                if (!_joining)
                {
                    _dropped++;
                }
                if (_lostGops <= _maxLostGops)
                {
                    return false;
                }
            }
            else
            {
                admitted = true;
                _messages.Enqueue((message.AddRef(), message.Generation));
                _queuedBytes += message.Length;
                _budget.Add(message.Length);
                if (message.Kind is MediaKind.Video or MediaKind.KeyFrame or MediaKind.Audio)
                {
                    _lastQueuedTimestamp = message.Timestamp;
                }
            }
        }
        // Outside the lock: the writer may run on this thread. It also wakes for an overflow, to close.
        _signal?.Set();
        return admitted;
    }

    /// <summary>Drop media until the next keyframe: a new player or a reconnected destination starts on one.</summary>
    public void StartAtNextKeyframe()
    {
        lock (_gate)
        {
            _waitingForKeyframe = true;
            _joining = true;
        }
    }

    public bool TryDequeue(out ChunkedMessage message)
    {
        lock (_gate)
        {
            if (!_messages.TryDequeue(out var entry))
            {
                message = null!;
                return false;
            }
            message = entry.Message;
            if (message.Generation != entry.Generation)
            {
                // Someone released it once too often while it sat here: the pool gave it to another message.
                throw new RtmpRelay.Protocol.Messages.PoolMisuseException("A queued ChunkedMessage was returned to its pool and reused while still queued.");
            }
            _queuedBytes -= message.Length;
            _budget.Remove(message.Length);
            if (message.Kind is MediaKind.Video or MediaKind.KeyFrame or MediaKind.Audio)
            {
                _lastTakenTimestamp = message.Timestamp;
            }
            return true;
        }
    }

    /// <summary>No more messages will be accepted; the writer drains what is queued.</summary>
    public void Complete()
    {
        lock (_gate)
        {
            _completed = true;
        }
        _signal?.Set();
    }

    /// <summary>Completes the queue and releases everything still in it.</summary>
    public void Clear()
    {
        Complete();
        while (TryDequeue(out var message))
        {
            message.Release();
        }
    }

    private bool Admit(ChunkedMessage message)
    {
        if (message.Kind is MediaKind.Control or MediaKind.Header)
        {
            return true;
        }
        if (_waitingForKeyframe)
        {
            // Resume only with room to spare, so a peer at the edge doesn't flap between GOPs (or on an empty queue,
            // so a keyframe larger than half the budget still gets through).
            if (message.Kind != MediaKind.KeyFrame)
            {
                return false;
            }
            if ((_queuedBytes > 0 && _queuedBytes + message.Length > _maxBytes / 2) || (_queuedBytes > 0 && _budget.IsFull(message.Length)))
            {
                if (!_joining)
                {
                    _lostGops++;
                }
                return false;
            }
            _waitingForKeyframe = false;
            _joining = false;
            _lostGops = 0;
            return true;
        }
        if (_queuedBytes > 0 && (_queuedBytes + message.Length > _maxBytes || _budget.IsFull(message.Length)))
        {
            _waitingForKeyframe = true;
            _lostGops = 1; // the GOP this message belongs to
            return false;
        }
        return true;
    }
}
