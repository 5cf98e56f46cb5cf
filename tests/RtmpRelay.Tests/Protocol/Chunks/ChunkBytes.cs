using System.Buffers.Binary;

namespace RtmpRelay.Tests.Protocol.Chunks;

/// <summary>
/// Writes chunk bytes field by field, the way the spec draws them, so a test shows exactly which header it sends.
/// Independent of <see cref="RtmpRelay.Protocol.Chunks.ChunkWriter"/> on purpose.
/// </summary>
internal sealed class ChunkBytes
{
    private readonly List<byte> _bytes = new();

    public int Length => _bytes.Count;

    /// <summary>fmt (2 bits) + csid: 1 byte for 2..63, 2 bytes (csid - 64) for 64..319, 3 bytes (LE16 csid - 64) for 320..65599.</summary>
    public ChunkBytes Basic(int fmt, int csid)
    {
        var prefix = (byte)(fmt << 6);
        if (csid is >= 2 and < 64)
        {
            _bytes.Add((byte)(prefix | csid));
        }
        else if (csid is >= 64 and < 320)
        {
            _bytes.Add(prefix);
            _bytes.Add((byte)(csid - 64));
        }
        else
        {
            _bytes.Add((byte)(prefix | 1));
            _bytes.Add((byte)((csid - 64) & 0xFF));
            _bytes.Add((byte)((csid - 64) >> 8));
        }
        return this;
    }

    /// <summary>fmt 0: timestamp BE24 | length BE24 | type | message stream id LE32.</summary>
    public ChunkBytes Fmt0(int csid, uint timestampField, int length, byte type, uint streamId) =>
        Basic(0, csid).UInt24(timestampField).UInt24((uint)length).Byte(type).UInt32LittleEndian(streamId);

    /// <summary>fmt 1: delta BE24 | length BE24 | type.</summary>
    public ChunkBytes Fmt1(int csid, uint deltaField, int length, byte type) =>
        Basic(1, csid).UInt24(deltaField).UInt24((uint)length).Byte(type);

    /// <summary>fmt 2: delta BE24.</summary>
    public ChunkBytes Fmt2(int csid, uint deltaField) => Basic(2, csid).UInt24(deltaField);

    /// <summary>fmt 3: no message header.</summary>
    public ChunkBytes Fmt3(int csid) => Basic(3, csid);

    /// <summary>Extended timestamp, BE32.</summary>
    public ChunkBytes Extended(uint value) => UInt32BigEndian(value);

    public ChunkBytes Byte(byte value)
    {
        _bytes.Add(value);
        return this;
    }

    public ChunkBytes UInt24(uint value)
    {
        _bytes.Add((byte)(value >> 16));
        _bytes.Add((byte)(value >> 8));
        _bytes.Add((byte)value);
        return this;
    }

    public ChunkBytes UInt32BigEndian(uint value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, value);
        return Data(b);
    }

    public ChunkBytes UInt32LittleEndian(uint value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        return Data(b);
    }

    public ChunkBytes Data(ReadOnlySpan<byte> data)
    {
        foreach (var b in data)
        {
            _bytes.Add(b);
        }
        return this;
    }

    public ChunkBytes Hex(string hex) => Data(Bytes(hex));

    public byte[] ToArray() => _bytes.ToArray();

    /// <summary>Parses hex digits, ignoring whitespace.</summary>
    public static byte[] Bytes(string hex) => Convert.FromHexString(string.Concat(hex.Where(c => !char.IsWhiteSpace(c))));

    /// <summary>A recognisable payload: byte i = (seed + i * 7) mod 251.</summary>
    public static byte[] Pattern(int length, int seed = 0)
    {
        var payload = new byte[length];
        for (var i = 0; i < length; i++)
        {
            payload[i] = (byte)((seed + i * 7) % 251);
        }
        return payload;
    }
}
