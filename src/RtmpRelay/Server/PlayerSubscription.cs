using RtmpRelay.Core;
using RtmpRelay.Protocol.Messages;
using RtmpRelay.Streams;

namespace RtmpRelay.Server;

/// <summary>A local player of a live stream. Its media shares the connection's queue, so it stays in order with onStatus.</summary>
internal sealed class PlayerSubscription : IStreamSubscriber
{
    private readonly RtmpConnection _connection;

    public PlayerSubscription(RtmpConnection connection, LiveStream stream, uint streamId)
    {
        _connection = connection;
        Stream = stream;
        StreamId = streamId;
    }

    public LiveStream Stream { get; }
    public uint StreamId { get; }
    public bool IsPublisherSide => false;
    public SendQueue Queue => _connection.Queue;

    public void OnStreamEnded()
    {
        _connection.SendUserControl(UserControlEventType.StreamEof, StreamId);
        _connection.SendStatus(StreamId, "status", "NetStream.Play.UnpublishNotify", $"{Stream.Key.Name} is now unpublished.");
    }
}
