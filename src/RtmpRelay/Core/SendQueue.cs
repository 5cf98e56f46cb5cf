using RtmpRelay.Protocol.Chunks;

namespace RtmpRelay.Core;

/// <summary>
/// The bounded queue of chunked messages waiting to be written to one peer. Control messages, metadata and
/// sequence headers are always taken. When media would push the queue past its byte budget, media is dropped
/// until the next keyframe finds room again, so a slow peer loses whole GOPs, never part of one, and never
/// stalls the publisher or any other peer.
/// </summary>
internal sealed class SendQueue
{
    private readonly Queue<ChunkedMessage> _messages = new();
    private readonly Lock _gate = new();
    private readonly int _maxBytes;
    private WriterSignal? _signal;
    private long _queuedBytes;
    private bool _waitingForKeyframe;
    private bool _joining; // waiting for the first keyframe: skipping is not dropping
    private bool _completed;
    private long _dropped;
    private uint _lastQueuedTimestamp;
    private uint _lastTakenTimestamp;

    public SendQueue(int maxBytes)
    {
        _maxBytes = maxBytes;
    }

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
                return false;
            }
            _messages.Enqueue(message.AddRef());
            _queuedBytes += message.Length;
            if (message.Kind is MediaKind.Video or MediaKind.KeyFrame or MediaKind.Audio)
            {
                _lastQueuedTimestamp = message.Timestamp;
            }
        }
        _signal?.Set();
        return true;
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
            if (!_messages.TryDequeue(out message!))
            {
                return false;
            }
            _queuedBytes -= message.Length;
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
            if (message.Kind != MediaKind.KeyFrame || (_queuedBytes > 0 && _queuedBytes + message.Length > _maxBytes / 2))
            {
                return false;
            }
            _waitingForKeyframe = false;
            _joining = false;
            return true;
        }
        if (_queuedBytes > 0 && _queuedBytes + message.Length > _maxBytes)
        {
            _waitingForKeyframe = true;
            return false;
        }
        return true;
    }
}
