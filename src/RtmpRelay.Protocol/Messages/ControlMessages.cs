using System.Buffers;
using System.Buffers.Binary;
using RtmpRelay.Protocol.Chunks;

namespace RtmpRelay.Protocol.Messages;

/// <summary>Writers (already chunked, chunk stream 2, message stream 0) and readers for protocol control and user control messages.</summary>
public static class ControlMessages
{
    public static void WriteSetChunkSize(IBufferWriter<byte> output, int chunkSize, int currentChunkSize) =>
        WriteUInt32(output, RtmpMessageType.SetChunkSize, (uint)chunkSize, currentChunkSize);

    public static void WriteAcknowledgement(IBufferWriter<byte> output, uint sequenceNumber, int chunkSize) =>
        WriteUInt32(output, RtmpMessageType.Acknowledgement, sequenceNumber, chunkSize);

    public static void WriteWindowAcknowledgementSize(IBufferWriter<byte> output, uint windowSize, int chunkSize) =>
        WriteUInt32(output, RtmpMessageType.WindowAcknowledgementSize, windowSize, chunkSize);

    /// <param name="limitType">0 hard, 1 soft, 2 dynamic.</param>
    public static void WriteSetPeerBandwidth(IBufferWriter<byte> output, uint windowSize, byte limitType, int chunkSize)
    {
        Span<byte> payload = stackalloc byte[5];
        BinaryPrimitives.WriteUInt32BigEndian(payload, windowSize);
        payload[4] = limitType;
        ChunkWriter.Write(output, ChunkWriter.ControlChunkStream, RtmpMessageType.SetPeerBandwidth, 0, 0, payload, chunkSize);
    }

    public static void WriteUserControl(IBufferWriter<byte> output, UserControlEventType eventType, uint value, int chunkSize)
    {
        Span<byte> payload = stackalloc byte[6];
        BinaryPrimitives.WriteUInt16BigEndian(payload, (ushort)eventType);
        BinaryPrimitives.WriteUInt32BigEndian(payload[2..], value);
        ChunkWriter.Write(output, ChunkWriter.ControlChunkStream, RtmpMessageType.UserControl, 0, 0, payload, chunkSize);
    }

    public static void WriteSetBufferLength(IBufferWriter<byte> output, uint streamId, uint milliseconds, int chunkSize)
    {
        Span<byte> payload = stackalloc byte[10];
        BinaryPrimitives.WriteUInt16BigEndian(payload, (ushort)UserControlEventType.SetBufferLength);
        BinaryPrimitives.WriteUInt32BigEndian(payload[2..], streamId);
        BinaryPrimitives.WriteUInt32BigEndian(payload[6..], milliseconds);
        ChunkWriter.Write(output, ChunkWriter.ControlChunkStream, RtmpMessageType.UserControl, 0, 0, payload, chunkSize);
    }

    /// <summary>Reads the 4-byte big-endian value of Set Chunk Size, Abort, Acknowledgement or Window Acknowledgement Size.</summary>
    public static uint ReadUInt32(RtmpMessage message) =>
        message.Length >= 4
            ? BinaryPrimitives.ReadUInt32BigEndian(message.Span)
            : throw new RtmpProtocolException($"{message.Type} message with {message.Length} bytes of payload.");

    /// <summary>Reads a User Control event: its type and first 4-byte value (stream id or ping timestamp).</summary>
    public static (UserControlEventType Type, uint Value) ReadUserControl(RtmpMessage message) =>
        message.Length >= 6
            ? ((UserControlEventType)BinaryPrimitives.ReadUInt16BigEndian(message.Span), BinaryPrimitives.ReadUInt32BigEndian(message.Span[2..]))
            : throw new RtmpProtocolException($"User Control message with {message.Length} bytes of payload.");

    private static void WriteUInt32(IBufferWriter<byte> output, RtmpMessageType type, uint value, int chunkSize)
    {
        Span<byte> payload = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(payload, value);
        ChunkWriter.Write(output, ChunkWriter.ControlChunkStream, type, 0, 0, payload, chunkSize);
    }
}
