using RtmpRelay.Protocol.Chunks;

namespace RtmpRelay.Benchmarks;

/// <summary>
/// Stand-in for the relay's internal SendQueue on the fan-out path: a lock, a queue of references and a byte
/// count (the drop policy's branches are not taken at steady state, so they are left out).
/// </summary>
internal sealed class DestinationQueue
{
    private readonly Queue<ChunkedMessage> _messages = new();
    private readonly Lock _gate = new();
    private long _queuedBytes;

    public void Enqueue(ChunkedMessage message)
    {
        lock (_gate)
        {
            _messages.Enqueue(message.AddRef());
            _queuedBytes += message.Length;
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
            return true;
        }
    }
}
