using System.Buffers;
using System.Collections.Concurrent;

namespace RtmpRelay.Protocol.Messages;

/// <summary>
/// One complete RTMP message whose payload lives in a pooled array. Reference counted: whoever keeps it
/// past the read loop calls <see cref="AddRef"/>, and every holder calls <see cref="Release"/> once.
/// The object itself is pooled too, so relaying a message allocates nothing in steady state.
/// </summary>
public sealed class RtmpMessage
{
    private const int MaxPooledInstances = 4096;
    private static readonly ConcurrentQueue<RtmpMessage> Pool = new();

    private byte[] _buffer = [];
    private int _length;
    private int _references;

    private RtmpMessage() { }

    public RtmpMessageType Type { get; private set; }
    public uint Timestamp { get; private set; }
    public uint StreamId { get; private set; }

    /// <summary>Chunk stream the message arrived on (inbound only; informational).</summary>
    public int ChunkStreamId { get; private set; }

    public int Length => _length;
    public ReadOnlyMemory<byte> Payload => IsLive ? _buffer.AsMemory(0, _length) : throw UsedAfterRelease();
    public ReadOnlySpan<byte> Span => IsLive ? _buffer.AsSpan(0, _length) : throw UsedAfterRelease();

    private bool IsLive => Volatile.Read(ref _references) > 0;

    private static PoolMisuseException UsedAfterRelease() => new("RtmpMessage used after its last Release.");

    /// <summary>Wraps a buffer rented from <see cref="ArrayPool{T}.Shared"/>; the message now owns it.</summary>
    public static RtmpMessage FromRented(RtmpMessageType type, uint timestamp, uint streamId, int chunkStreamId, byte[] rented, int length)
    {
        if (!Pool.TryDequeue(out var message))
        {
            message = new RtmpMessage();
        }
        message.Type = type;
        message.Timestamp = timestamp;
        message.StreamId = streamId;
        message.ChunkStreamId = chunkStreamId;
        message._buffer = rented;
        message._length = length;
        message._references = 1;
        return message;
    }

    /// <summary>Copies <paramref name="payload"/> into a new pooled message.</summary>
    public static RtmpMessage Copy(RtmpMessageType type, uint timestamp, uint streamId, ReadOnlySpan<byte> payload)
    {
        var rented = payload.Length == 0 ? [] : ArrayPool<byte>.Shared.Rent(payload.Length);
        payload.CopyTo(rented);
        return FromRented(type, timestamp, streamId, 0, rented, payload.Length);
    }

    public RtmpMessage AddRef()
    {
        ReferenceCount.Add(ref _references, nameof(RtmpMessage));
        return this;
    }

    public void Release()
    {
        if (!ReferenceCount.Release(ref _references, nameof(RtmpMessage)))
        {
            return;
        }
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }
        _buffer = [];
        _length = 0;
        if (Pool.Count < MaxPooledInstances)
        {
            Pool.Enqueue(this);
        }
    }
}
