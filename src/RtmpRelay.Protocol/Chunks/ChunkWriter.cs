using System.Buffers;
using System.Buffers.Binary;
using RtmpRelay.Protocol.Messages;

namespace RtmpRelay.Protocol.Chunks;

/// <summary>
/// Splits messages into chunks. Every message starts with a fmt-0 header (absolute timestamp) and continues with
/// fmt-3 chunks, so the bytes depend only on (chunk stream, chunk size, message stream id) and not on what was sent
/// before: one chunking of a media message can be shared by every destination and player.
/// The extended timestamp is repeated on continuation chunks, as ffmpeg and Flash expect.
/// </summary>
public static class ChunkWriter
{
    /// <summary>Protocol control messages go on chunk stream 2, message stream 0.</summary>
    public const int ControlChunkStream = 2;

    public static int GetBasicHeaderLength(int chunkStreamId) => chunkStreamId switch
    {
        < 2 or > 65599 => throw new ArgumentOutOfRangeException(nameof(chunkStreamId)),
        < 64 => 1,
        < 320 => 2,
        _ => 3,
    };

    /// <summary>Number of bytes <see cref="Write(Span{byte}, int, RtmpMessageType, uint, uint, ReadOnlySpan{byte}, int)"/> produces.</summary>
    public static int GetChunkedLength(int chunkStreamId, uint timestamp, int payloadLength, int chunkSize)
    {
        var basic = GetBasicHeaderLength(chunkStreamId);
        var extended = timestamp >= 0xFFFFFF ? 4 : 0;
        var chunks = payloadLength == 0 ? 1 : (payloadLength + chunkSize - 1) / chunkSize;
        return basic + 11 + extended + (chunks - 1) * (basic + extended) + payloadLength;
    }

    public static void Write(IBufferWriter<byte> output, int chunkStreamId, RtmpMessageType type, uint timestamp, uint streamId, ReadOnlySpan<byte> payload, int chunkSize)
    {
        var length = GetChunkedLength(chunkStreamId, timestamp, payload.Length, chunkSize);
        Write(output.GetSpan(length), chunkStreamId, type, timestamp, streamId, payload, chunkSize);
        output.Advance(length);
    }

    /// <summary>Writes the chunked message into <paramref name="destination"/>, which must hold <see cref="GetChunkedLength"/> bytes.</summary>
    public static int Write(Span<byte> destination, int chunkStreamId, RtmpMessageType type, uint timestamp, uint streamId, ReadOnlySpan<byte> payload, int chunkSize)
    {
        if (payload.Length > 0xFFFFFF)
        {
            throw new ArgumentOutOfRangeException(nameof(payload), "An RTMP message holds at most 16 MiB.");
        }
        var extended = timestamp >= 0xFFFFFF;
        var at = WriteBasicHeader(destination, 0, chunkStreamId);
        WriteUInt24(destination[at..], extended ? 0xFFFFFF : timestamp);
        WriteUInt24(destination[(at + 3)..], (uint)payload.Length);
        destination[at + 6] = (byte)type;
        BinaryPrimitives.WriteUInt32LittleEndian(destination[(at + 7)..], streamId);
        at += 11;
        if (extended)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination[at..], timestamp);
            at += 4;
        }

        var offset = 0;
        while (true)
        {
            var take = Math.Min(chunkSize, payload.Length - offset);
            payload.Slice(offset, take).CopyTo(destination[at..]);
            at += take;
            offset += take;
            if (offset >= payload.Length)
            {
                return at;
            }
            at = WriteBasicHeader(destination, at, chunkStreamId, fmt: 3);
            if (extended)
            {
                BinaryPrimitives.WriteUInt32BigEndian(destination[at..], timestamp);
                at += 4;
            }
        }
    }

    private static int WriteBasicHeader(Span<byte> destination, int at, int chunkStreamId, int fmt = 0)
    {
        var prefix = (byte)(fmt << 6);
        if (chunkStreamId < 64)
        {
            destination[at] = (byte)(prefix | chunkStreamId);
            return at + 1;
        }
        if (chunkStreamId < 320)
        {
            destination[at] = prefix;
            destination[at + 1] = (byte)(chunkStreamId - 64);
            return at + 2;
        }
        destination[at] = (byte)(prefix | 1);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[(at + 1)..], (ushort)(chunkStreamId - 64));
        return at + 3;
    }

    private static void WriteUInt24(Span<byte> b, uint value)
    {
        b[0] = (byte)(value >> 16);
        b[1] = (byte)(value >> 8);
        b[2] = (byte)value;
    }
}
