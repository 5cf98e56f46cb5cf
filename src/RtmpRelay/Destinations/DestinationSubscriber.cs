using RtmpRelay.Core;
using RtmpRelay.Streams;

namespace RtmpRelay.Destinations;

/// <summary>
/// A destination's place in a live stream's fan-out: its own bounded media queue, filled from the moment it is
/// attached (also while the destination is still connecting) and drained once the destination accepts the publish.
/// </summary>
internal sealed class DestinationSubscriber : IStreamSubscriber
{
    public DestinationSubscriber(uint streamId, int queueBytes)
    {
        StreamId = streamId;
        Queue = new SendQueue(queueBytes);
    }

    public uint StreamId { get; }
    public bool IsPublisherSide => true;
    public SendQueue Queue { get; }

    /// <summary>Set by the session once connected: says goodbye to the destination after the queued media.</summary>
    public Action? Ended { get; set; }

    public bool HasEnded { get; private set; }

    public void OnStreamEnded()
    {
        HasEnded = true;
        Ended?.Invoke();
    }
}
