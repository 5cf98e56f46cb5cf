using System.Buffers.Binary;

namespace RtmpRelay.Protocol.Messages;

/// <summary>
/// Splits an aggregate message (type 22) into its sub-messages, rebasing their timestamps on the aggregate's.
/// </summary>
/// <remarks>
/// <code>
/// aggregate payload = { type 1 | data size BE24 | timestamp BE24 | timestamp high 1 | stream id BE24 | data | back pointer BE32 }*
/// </code>
/// A sub-message keeps its distance from the first sub-message: out = aggregate timestamp + (ts - first ts).
/// </remarks>
public ref struct AggregateReader
{
    private const int TagHeaderLength = 11;
    private ReadOnlySpan<byte> _remaining;
    private readonly uint _aggregateTimestamp;
    private uint? _firstTimestamp;

    public AggregateReader(ReadOnlySpan<byte> payload, uint aggregateTimestamp)
    {
        _remaining = payload;
        _aggregateTimestamp = aggregateTimestamp;
    }

    /// <returns>False at the end; throws <see cref="RtmpProtocolException"/> on a truncated or inconsistent sub-message.</returns>
    public bool TryReadNext(out RtmpMessageType type, out uint timestamp, out ReadOnlySpan<byte> data)
    {
        if (_remaining.IsEmpty)
        {
            type = default;
            timestamp = 0;
            data = default;
            return false;
        }
        if (_remaining.Length < TagHeaderLength)
        {
            throw new RtmpProtocolException($"Aggregate message ends inside a sub-message header ({_remaining.Length} bytes left).");
        }
        type = (RtmpMessageType)_remaining[0];
        var size = _remaining[1] << 16 | _remaining[2] << 8 | _remaining[3];
        var tagTimestamp = (uint)(_remaining[4] << 16 | _remaining[5] << 8 | _remaining[6]) | (uint)_remaining[7] << 24;
        if (_remaining.Length < TagHeaderLength + size)
        {
            throw new RtmpProtocolException($"Aggregate sub-message of {size} bytes overruns the aggregate ({_remaining.Length - TagHeaderLength} left).");
        }
        if (type is not (RtmpMessageType.Audio or RtmpMessageType.Video or RtmpMessageType.DataAmf0 or RtmpMessageType.DataAmf3))
        {
            throw new RtmpProtocolException($"Aggregate sub-message of type {(byte)type}, which is not audio, video or data.");
        }
        data = _remaining.Slice(TagHeaderLength, size);
        _firstTimestamp ??= tagTimestamp;
        timestamp = _aggregateTimestamp + (tagTimestamp - _firstTimestamp.Value);
        var next = TagHeaderLength + size;
        // The back pointer is optional after the last sub-message in some writers.
        next += Math.Min(4, _remaining.Length - next);
        _remaining = _remaining[next..];
        return true;
    }
}
