using RtmpRelay.Protocol.Messages;

namespace RtmpRelay.LoadTest;

/// <summary>One tag of the input file: its message type, timestamp (ms) and payload, and what the replay needs to know.</summary>
/// <param name="IsHeader">Metadata or a sequence header: sent once when a publisher starts, not at every loop.</param>
internal readonly record struct ReplayTag(RtmpMessageType Type, uint Timestamp, ReadOnlyMemory<byte> Payload, bool IsHeader);
