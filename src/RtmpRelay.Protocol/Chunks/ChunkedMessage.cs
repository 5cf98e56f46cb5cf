using System.Buffers;
using System.Collections.Concurrent;
using RtmpRelay.Protocol.Messages;

namespace RtmpRelay.Protocol.Chunks;

/// <summary>
/// A message already split into chunks, in one pooled buffer, ready to be written as is. Reference counted so one
/// chunking of a media message is shared by every destination and player queue that sends it.
/// Pooled: each rent gets a new <see cref="Generation"/>, so a holder that kept it past its last reference (it was
/// returned, then rented again) can tell; reading a released message throws.
/// </summary>
public sealed class ChunkedMessage
{
    private const int MaxPooledInstances = 4096;
    private static readonly ConcurrentQueue<ChunkedMessage> Pool = new();

    private byte[] _buffer = [];
    private int _references;

    private ChunkedMessage() { }

    public ReadOnlyMemory<byte> Bytes => Volatile.Read(ref _references) > 0
        ? _buffer.AsMemory(0, Length)
        : throw new PoolMisuseException("ChunkedMessage used after its last Release.");

    /// <summary>Changes every time the instance is rented from the pool.</summary>
    public int Generation { get; private set; }
    public int Length { get; private set; }
    public RtmpMessageType Type { get; private set; }
    public uint Timestamp { get; private set; }

    /// <summary>Media facts the send queue's drop policy needs.</summary>
    public MediaKind Kind { get; private set; }

    public static ChunkedMessage Create(int chunkStreamId, RtmpMessageType type, uint timestamp, uint streamId, ReadOnlySpan<byte> payload, int chunkSize, MediaKind kind = MediaKind.Other)
    {
        var length = ChunkWriter.GetChunkedLength(chunkStreamId, timestamp, payload.Length, chunkSize);
        if (!Pool.TryDequeue(out var message))
        {
            message = new ChunkedMessage();
        }
        message._buffer = ArrayPool<byte>.Shared.Rent(length);
        message.Length = ChunkWriter.Write(message._buffer, chunkStreamId, type, timestamp, streamId, payload, chunkSize);
        message.Type = type;
        message.Timestamp = timestamp;
        message.Kind = kind;
        message.Generation++;
        message._references = 1;
        return message;
    }

    /// <summary>Wraps bytes that are already chunked (control messages and commands built by a writer).</summary>
    public static ChunkedMessage FromChunkedBytes(ReadOnlySpan<byte> chunked, RtmpMessageType type)
    {
        if (!Pool.TryDequeue(out var message))
        {
            message = new ChunkedMessage();
        }
        message._buffer = ArrayPool<byte>.Shared.Rent(Math.Max(1, chunked.Length));
        chunked.CopyTo(message._buffer);
        message.Length = chunked.Length;
        message.Type = type;
        message.Timestamp = 0;
        message.Kind = MediaKind.Control;
        message.Generation++;
        message._references = 1;
        return message;
    }

    public ChunkedMessage AddRef()
    {
        ReferenceCount.Add(ref _references, nameof(ChunkedMessage));
        return this;
    }

    public void Release()
    {
        if (!ReferenceCount.Release(ref _references, nameof(ChunkedMessage)))
        {
            return;
        }
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
        Length = 0;
        if (Pool.Count < MaxPooledInstances)
        {
            Pool.Enqueue(this);
        }
    }
}
