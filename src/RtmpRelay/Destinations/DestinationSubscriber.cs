using RtmpRelay.Core;
using RtmpRelay.Streams;

namespace RtmpRelay.Destinations;

/// <summary>
/// A destination's place in a live stream's fan-out: its own bounded media queue, filled from the moment it is
/// attached (also while the destination is still connecting) and drained once the destination accepts the publish.
/// Its supervisor attaches and detaches it; the end of the stream is passed on to the supervisor.
/// </summary>
internal sealed class DestinationSubscriber : IStreamSubscriber
{
    private readonly Action _streamEnded;

    public DestinationSubscriber(uint streamId, int queueBytes, int maxLostGops, Action streamEnded)
    {
        StreamId = streamId;
        Queue = new SendQueue(queueBytes, maxLostGops);
        _streamEnded = streamEnded;
    }

    public uint StreamId { get; }
    public bool IsPublisherSide => true;
    public SendQueue Queue { get; }

    public void OnStreamEnded() => _streamEnded();
}
