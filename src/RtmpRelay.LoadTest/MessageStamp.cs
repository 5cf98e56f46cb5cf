using System.Buffers.Binary;

namespace RtmpRelay.LoadTest;

/// <summary>
/// What a publisher writes over the last bytes of every audio and video frame it sends, so a sink can tell which
/// publisher sent it, whether it counts, and when it left. Relays pass payloads through untouched, so the stamp
/// survives both RtmpRelay and nginx-rtmp; timestamps and stream names need not.
/// </summary>
/// <remarks>
/// <code>
/// ... frame data ... | magic "RLT1" | publisher BE16 | flags BE16 | sequence BE32 | sent at (Stopwatch ticks) BE64 |
/// flags: 1 = sent inside the measurement window
/// </code>
/// The decoder never sees these streams (sinks only count), and the FLV tag header at the front stays intact.
/// </remarks>
internal static class MessageStamp
{
    public const int Size = 20;

    /// <summary>Frames shorter than this are sent as they are (and not measured).</summary>
    public const int MinimumPayload = 32;

    public const ushort Measured = 1;

    private const uint Magic = 0x524C5431; // "RLT1"

    public static void Write(Span<byte> payload, ushort publisher, ushort flags, uint sequence, long sentAt)
    {
        var stamp = payload[^Size..];
        BinaryPrimitives.WriteUInt32BigEndian(stamp, Magic);
        BinaryPrimitives.WriteUInt16BigEndian(stamp[4..], publisher);
        BinaryPrimitives.WriteUInt16BigEndian(stamp[6..], flags);
        BinaryPrimitives.WriteUInt32BigEndian(stamp[8..], sequence);
        BinaryPrimitives.WriteInt64BigEndian(stamp[12..], sentAt);
    }

    public static bool TryRead(ReadOnlySpan<byte> payload, out ushort publisher, out ushort flags, out long sentAt)
    {
        publisher = 0;
        flags = 0;
        sentAt = 0;
        if (payload.Length < MinimumPayload)
        {
            return false;
        }
        var stamp = payload[^Size..];
        if (BinaryPrimitives.ReadUInt32BigEndian(stamp) != Magic)
        {
            return false;
        }
        publisher = BinaryPrimitives.ReadUInt16BigEndian(stamp[4..]);
        flags = BinaryPrimitives.ReadUInt16BigEndian(stamp[6..]);
        sentAt = BinaryPrimitives.ReadInt64BigEndian(stamp[12..]);
        return true;
    }
}
