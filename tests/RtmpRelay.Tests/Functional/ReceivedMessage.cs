using System.Buffers.Binary;
using RtmpRelay.Protocol.Amf;
using RtmpRelay.Protocol.Messages;

namespace RtmpRelay.Tests.Functional;

/// <summary>A message the test client received, copied out of the pooled message, with AMF and control payloads decoded.</summary>
internal sealed class ReceivedMessage
{
    public ReceivedMessage(RtmpMessage message)
    {
        Type = message.Type;
        Timestamp = message.Timestamp;
        StreamId = message.StreamId;
        ChunkStreamId = message.ChunkStreamId;
        Payload = message.Span.ToArray();
        Values = Type switch
        {
            RtmpMessageType.CommandAmf0 or RtmpMessageType.DataAmf0 => Amf0Reader.ReadAll(Payload),
            RtmpMessageType.CommandAmf3 or RtmpMessageType.DataAmf3 when Payload.Length > 0 => Amf0Reader.ReadAll(Payload.AsSpan(1)),
            _ => null,
        };
    }

    public RtmpMessageType Type { get; }
    public uint Timestamp { get; }
    public uint StreamId { get; }
    public int ChunkStreamId { get; }
    public byte[] Payload { get; }

    /// <summary>Decoded AMF values of a command or data message.</summary>
    public List<object?>? Values { get; }

    public bool IsCommand => Type is RtmpMessageType.CommandAmf0 or RtmpMessageType.CommandAmf3;

    /// <summary>Command name, or the first string of a data message.</summary>
    public string? Name => Values is { Count: > 0 } ? Values[0] as string : null;

    public double? TransactionId => IsCommand && Values is { Count: > 1 } && Values[1] is double id ? id : null;

    /// <summary>The info object of _result/_error/onStatus: the last object argument.</summary>
    public AmfObject? Info => IsCommand ? Values?.Skip(2).OfType<AmfObject>().LastOrDefault() : null;

    public string? Code => Info?.GetString("code");

    public bool IsStatus(string code) => Name == "onStatus" && Code == code;

    /// <summary>User Control event type, for type 4.</summary>
    public UserControlEventType? Event => Type == RtmpMessageType.UserControl && Payload.Length >= 6
        ? (UserControlEventType)BinaryPrimitives.ReadUInt16BigEndian(Payload)
        : null;

    /// <summary>The 4-byte value of a User Control event (stream id, ping timestamp).</summary>
    public uint EventValue => BinaryPrimitives.ReadUInt32BigEndian(Payload.AsSpan(2));

    /// <summary>The 4-byte value of Set Chunk Size, Acknowledgement, Window Acknowledgement Size, Set Peer Bandwidth.</summary>
    public uint UInt32Value => BinaryPrimitives.ReadUInt32BigEndian(Payload);

    public override string ToString()
    {
        var what = Type switch
        {
            RtmpMessageType.UserControl => $"{Event} {EventValue}",
            RtmpMessageType.SetChunkSize or RtmpMessageType.Acknowledgement or RtmpMessageType.WindowAcknowledgementSize or RtmpMessageType.SetPeerBandwidth => UInt32Value.ToString(),
            _ when Values is not null => $"{Name}{(TransactionId is { } t ? $" #{t}" : "")}{(Code is null ? "" : " " + Code)}",
            _ => $"{Payload.Length} bytes {Convert.ToHexString(Payload.AsSpan(0, Math.Min(8, Payload.Length)))}",
        };
        return $"{Type} ts={Timestamp} msid={StreamId} {what}";
    }
}
