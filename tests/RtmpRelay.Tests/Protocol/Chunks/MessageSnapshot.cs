using RtmpRelay.Protocol.Messages;

namespace RtmpRelay.Tests.Protocol.Chunks;

/// <summary>A message as the reader returned it, copied so it can be compared after the message is released.</summary>
internal sealed record MessageSnapshot(RtmpMessageType Type, uint Timestamp, uint StreamId, int ChunkStreamId, string PayloadHex)
{
    public MessageSnapshot(RtmpMessageType type, uint timestamp, uint streamId, int chunkStreamId, ReadOnlySpan<byte> payload)
        : this(type, timestamp, streamId, chunkStreamId, Convert.ToHexString(payload))
    {
    }

    public int Length => PayloadHex.Length / 2;

    public static MessageSnapshot Of(RtmpMessage message) =>
        new(message.Type, message.Timestamp, message.StreamId, message.ChunkStreamId, message.Span);

    public override string ToString() =>
        $"{Type} ts={Timestamp} msid={StreamId} csid={ChunkStreamId} len={Length} [{(PayloadHex.Length > 24 ? PayloadHex[..24] + "..." : PayloadHex)}]";
}
