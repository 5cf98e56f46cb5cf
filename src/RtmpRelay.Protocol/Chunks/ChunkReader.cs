using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using RtmpRelay.Protocol.Messages;

namespace RtmpRelay.Protocol.Chunks;

/// <summary>
/// Reassembles RTMP messages from one direction of a chunk stream. Pure and synchronous: feed it whatever bytes
/// have arrived; it consumes them (also the front of a chunk whose rest has not arrived yet, so a huge chunk size
/// never makes the transport buffer grow) and returns each message as soon as its last byte is in.
/// </summary>
/// <remarks>
/// <code>
/// chunk = basic header (1-3 bytes) | message header (11/7/3/0 bytes by fmt) | [extended timestamp 4] | data
///  basic header: fmt(2 bits) csid(6 bits); csid 0 -> +1 byte (csid = b + 64); csid 1 -> +2 bytes (LE16 + 64)
///  fmt 0: timestamp BE24 | length BE24 | type 1 | message stream id LE32
///  fmt 1: delta BE24     | length BE24 | type 1
///  fmt 2: delta BE24
///  fmt 3: (nothing; continuation, or a new message that repeats the previous header and delta)
/// </code>
/// Set Chunk Size and Abort change how the following chunks parse, so the reader applies them itself
/// (and still returns them for logging).
/// </remarks>
public sealed class ChunkReader : IDisposable
{
    private const int InitialPayloadBuffer = 64 * 1024;
    private const uint ExtendedTimestampMarker = 0xFFFFFF;

    private readonly ChunkReaderLimits _limits;
    // Chunk streams 2-15 (where encoders send) in an array, the rest in a dictionary: no hash lookup per chunk.
    private const int DirectStreams = 16;
    private readonly ChunkStreamState?[] _directStreams = new ChunkStreamState?[DirectStreams];
    private readonly Dictionary<int, ChunkStreamState> _streams = new();
    private int _streamCount;
    private ChunkStreamState? _current; // the chunk whose data is being copied
    private int _currentChunkRemaining;
    private long _pendingBytes;

    public ChunkReader(ChunkReaderLimits? limits = null)
    {
        _limits = limits ?? ChunkReaderLimits.Default;
    }

    /// <summary>Incoming chunk size, 128 until the peer sends Set Chunk Size.</summary>
    public int ChunkSize { get; private set; } = 128;

    /// <summary>True while a chunk or a message is partly received (used to time out a peer that stops mid-message).</summary>
    public bool IsMidMessage => _current is not null || _pendingBytes > 0;

    /// <summary>Parses chunks from <paramref name="buffer"/> until one message completes or the bytes run out.</summary>
    /// <returns>True with a message (owned by the caller: call <see cref="RtmpMessage.Release"/>); false when more bytes are needed.</returns>
    /// <exception cref="RtmpProtocolException">The peer broke the protocol or a limit.</exception>
    public bool TryRead(ref ReadOnlySequence<byte> buffer, [NotNullWhen(true)] out RtmpMessage? message)
    {
        while (true)
        {
            if (_current is null)
            {
                if (!TryReadChunkHeader(ref buffer))
                {
                    message = null;
                    return false;
                }
            }

            var state = _current!;
            var take = (int)Math.Min(_currentChunkRemaining, buffer.Length);
            if (take > 0)
            {
                EnsureCapacity(state, state.Filled + take);
                buffer.Slice(0, take).CopyTo(state.Buffer.AsSpan(state.Filled));
                state.Filled += take;
                _currentChunkRemaining -= take;
                buffer = buffer.Slice(take);
            }
            if (_currentChunkRemaining > 0)
            {
                message = null;
                return false;
            }

            _current = null;
            if (state.Filled == state.Length)
            {
                message = CompleteMessage(state);
                return true;
            }
        }
    }

    private bool TryReadChunkHeader(ref ReadOnlySequence<byte> buffer)
    {
        var reader = new SequenceReader<byte>(buffer);
        if (!reader.TryRead(out var first))
        {
            return false;
        }
        var fmt = first >> 6;
        int csid = first & 0x3F;
        if (csid == 0)
        {
            if (!reader.TryRead(out var b))
            {
                return false;
            }
            csid = b + 64;
        }
        else if (csid == 1)
        {
            if (!reader.TryReadLittleEndian(out short le))
            {
                return false;
            }
            csid = (ushort)le + 64;
        }

        var headerLength = fmt switch { 0 => 11, 1 => 7, 2 => 3, _ => 0 };
        if (reader.Remaining < headerLength)
        {
            return false;
        }
        Span<byte> header = stackalloc byte[11];
        reader.TryCopyTo(header[..headerLength]);
        reader.Advance(headerLength);

        var state = FindStream(csid);
        if (fmt != 0 && state is null)
        {
            throw new RtmpProtocolException($"Chunk fmt {fmt} on chunk stream {csid}, which has no previous header.");
        }
        var inProgress = state is not null && state.Filled < state.Length && state.Buffer.Length > 0;
        if (fmt != 3 && inProgress)
        {
            throw new RtmpProtocolException($"Chunk fmt {fmt} starts a new message on chunk stream {csid} while its previous message is incomplete ({state!.Filled} of {state.Length} bytes).");
        }

        uint timestampField = fmt == 3 ? 0 : ReadUInt24(header);
        var extended = fmt == 3 ? state!.HasExtendedTimestamp : timestampField == ExtendedTimestampMarker;
        if (extended)
        {
            if (!reader.TryReadBigEndian(out int ext))
            {
                return false;
            }
            if (fmt == 3 && (uint)ext != state!.ExtendedTimestamp)
            {
                // Some peers (librtmp-derived) omit the repeat on continuation chunks: those 4 bytes are data.
                reader.Rewind(4);
            }
            else
            {
                timestampField = (uint)ext;
            }
        }

        if (state is null)
        {
            if (_streamCount >= _limits.MaxChunkStreams)
            {
                throw new RtmpProtocolException($"More than {_limits.MaxChunkStreams} chunk streams in use (new chunk stream {csid}).") { Limit = "MaxChunkStreams" };
            }
            state = new ChunkStreamState();
            if ((uint)csid < DirectStreams)
            {
                _directStreams[csid] = state;
            }
            else
            {
                _streams.Add(csid, state);
            }
            _streamCount++;
        }

        if (fmt != 3 || !inProgress)
        {
            StartMessage(state, fmt, header, timestampField, extended, csid);
        }

        buffer = buffer.Slice(reader.Position);
        _current = state;
        _currentChunkRemaining = Math.Min(ChunkSize, state.Length - state.Filled);
        return true;
    }

    private void StartMessage(ChunkStreamState state, int fmt, ReadOnlySpan<byte> header, uint timestampField, bool extended, int csid)
    {
        switch (fmt)
        {
            case 0:
                state.Timestamp = timestampField;
                state.Delta = timestampField;
                state.Length = (int)ReadUInt24(header[3..]);
                state.Type = (RtmpMessageType)header[6];
                state.StreamId = BinaryPrimitives.ReadUInt32LittleEndian(header[7..]);
                break;
            case 1:
                state.Delta = timestampField;
                state.Timestamp += timestampField;
                state.Length = (int)ReadUInt24(header[3..]);
                state.Type = (RtmpMessageType)header[6];
                break;
            case 2:
                state.Delta = timestampField;
                state.Timestamp += timestampField;
                break;
            default:
                state.Timestamp += state.Delta;
                break;
        }
        if (fmt != 3)
        {
            state.HasExtendedTimestamp = extended;
            state.ExtendedTimestamp = timestampField;
        }
        if (state.Length > _limits.MaxMessageLength)
        {
            throw new RtmpProtocolException($"Message of {state.Length} bytes on chunk stream {csid} exceeds the limit of {_limits.MaxMessageLength}.") { Limit = "MaxMessageLength" };
        }
        state.ChunkStreamId = csid;
        state.Filled = 0;
        if (state.Length > 0)
        {
            Grow(state, Math.Min(state.Length, InitialPayloadBuffer));
        }
    }

    private void EnsureCapacity(ChunkStreamState state, int needed)
    {
        if (state.Buffer.Length < needed)
        {
            Grow(state, Math.Min(state.Length, Math.Max(needed, state.Buffer.Length * 2)));
        }
    }

    private void Grow(ChunkStreamState state, int size)
    {
        var added = size - state.Buffer.Length;
        if (_pendingBytes + added > _limits.MaxPendingBytes)
        {
            throw new RtmpProtocolException($"Incomplete messages would hold more than {_limits.MaxPendingBytes} bytes.");
        }
        var next = ArrayPool<byte>.Shared.Rent(size);
        if (state.Filled > 0)
        {
            state.Buffer.AsSpan(0, state.Filled).CopyTo(next);
        }
        _pendingBytes -= state.Buffer.Length;
        ReturnBuffer(state);
        state.Buffer = next;
        _pendingBytes += next.Length;
    }

    private RtmpMessage CompleteMessage(ChunkStreamState state)
    {
        var payload = state.Buffer;
        _pendingBytes -= payload.Length;
        state.Buffer = [];
        state.Filled = 0;
        var message = RtmpMessage.FromRented(state.Type, state.Timestamp, state.StreamId, state.ChunkStreamId, payload, state.Length);
        ApplyControl(message);
        return message;
    }

    private void ApplyControl(RtmpMessage message)
    {
        if (message.Type == RtmpMessageType.SetChunkSize)
        {
            if (message.Length < 4)
            {
                throw new RtmpProtocolException($"Set Chunk Size with {message.Length} bytes of payload.");
            }
            var size = BinaryPrimitives.ReadUInt32BigEndian(message.Span);
            if (size is 0 or > 0x7FFFFFFF)
            {
                throw new RtmpProtocolException($"Set Chunk Size to {size}.");
            }
            ChunkSize = (int)size;
        }
        else if (message.Type == RtmpMessageType.Abort && message.Length >= 4)
        {
            var csid = (int)BinaryPrimitives.ReadUInt32BigEndian(message.Span);
            if (FindStream(csid) is { } aborted)
            {
                _pendingBytes -= aborted.Buffer.Length;
                ReturnBuffer(aborted);
                aborted.Buffer = [];
                // Length stays: a following fmt 2 or 3 header reuses it.
                aborted.Filled = aborted.Length;
            }
        }
    }

    private ChunkStreamState? FindStream(int csid) =>
        (uint)csid < DirectStreams ? _directStreams[csid] : _streams.GetValueOrDefault(csid);

    private static uint ReadUInt24(ReadOnlySpan<byte> b) => (uint)(b[0] << 16 | b[1] << 8 | b[2]);

    private static void ReturnBuffer(ChunkStreamState state)
    {
        if (state.Buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(state.Buffer);
        }
    }

    public void Dispose()
    {
        foreach (var state in _streams.Values)
        {
            ReturnBuffer(state);
            state.Buffer = [];
        }
        foreach (var state in _directStreams)
        {
            if (state is not null)
            {
                ReturnBuffer(state);
                state.Buffer = [];
            }
        }
        _streams.Clear();
        Array.Clear(_directStreams);
        _streamCount = 0;
        _pendingBytes = 0;
        _current = null;
    }

    /// <summary>Per chunk stream: the last header (for fmt 1-3) and the message being assembled.</summary>
    private sealed class ChunkStreamState
    {
        public int ChunkStreamId;
        public uint Timestamp;
        public uint Delta;
        public int Length;
        public RtmpMessageType Type;
        public uint StreamId;
        public bool HasExtendedTimestamp;
        public uint ExtendedTimestamp;
        public byte[] Buffer = [];
        public int Filled;
    }
}
