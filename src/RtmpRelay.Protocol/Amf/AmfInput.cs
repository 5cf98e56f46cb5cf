using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;

namespace RtmpRelay.Protocol.Amf;

/// <summary>
/// The cursor shared by the AMF0 and AMF3 decoders: bounds-checked big-endian reads, the depth and value
/// budgets, and the reference tables (which live as long as the reader, per the specs).
/// Every failure is an <see cref="AmfException"/> naming what was being read and where.
/// </summary>
internal ref struct AmfInput
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly int _maxDepth;
    private readonly int _maxValues;
    private int _position;
    private int _depth;
    private int _values;

    /// <summary>AMF0 complex values (objects, ECMA and strict arrays) in the order they began.</summary>
    public List<object>? Amf0References;

    /// <summary>AMF3 string reference table (non-empty strings only).</summary>
    public List<string>? Amf3Strings;

    /// <summary>AMF3 object reference table (objects, arrays, dates, XML, byte arrays, vectors, dictionaries).</summary>
    public List<object>? Amf3Objects;

    /// <summary>AMF3 traits reference table.</summary>
    public List<Amf3Traits>? Amf3Traits;

    public AmfInput(ReadOnlySpan<byte> data, AmfReaderLimits limits)
    {
        _data = data;
        _maxDepth = limits.MaxDepth;
        _maxValues = limits.MaxValues;
    }

    public readonly int Position => _position;

    public readonly int Remaining => _data.Length - _position;

    public readonly bool End => _position >= _data.Length;

    public readonly AmfException Error(string reason) => new(reason, _position);

    public readonly AmfException Error(string reason, int offset) => new(reason, offset);

    /// <summary>Throws unless <paramref name="count"/> bytes remain; counts may come straight off the wire.</summary>
    public readonly void Require(long count, string what)
    {
        if (count > Remaining)
            throw Error($"truncated {what}: needs {count} bytes but only {Remaining} remain");
    }

    public byte ReadByte(string what)
    {
        Require(1, what);
        return _data[_position++];
    }

    /// <summary>The next byte without consuming it; throws when there is none.</summary>
    public readonly byte PeekByte(string what)
    {
        Require(1, what);
        return _data[_position];
    }

    /// <summary>The byte <paramref name="ahead"/> bytes past the cursor, or -1 beyond the end.</summary>
    public readonly int PeekAt(int ahead) =>
        ahead < Remaining ? _data[_position + ahead] : -1;

    public ushort ReadUInt16(string what)
    {
        Require(2, what);
        ushort value = BinaryPrimitives.ReadUInt16BigEndian(_data.Slice(_position, 2));
        _position += 2;
        return value;
    }

    public short ReadInt16(string what)
    {
        Require(2, what);
        short value = BinaryPrimitives.ReadInt16BigEndian(_data.Slice(_position, 2));
        _position += 2;
        return value;
    }

    public uint ReadUInt32(string what)
    {
        Require(4, what);
        uint value = BinaryPrimitives.ReadUInt32BigEndian(_data.Slice(_position, 4));
        _position += 4;
        return value;
    }

    public int ReadInt32(string what)
    {
        Require(4, what);
        int value = BinaryPrimitives.ReadInt32BigEndian(_data.Slice(_position, 4));
        _position += 4;
        return value;
    }

    public double ReadDouble(string what)
    {
        Require(8, what);
        double value = BinaryPrimitives.ReadDoubleBigEndian(_data.Slice(_position, 8));
        _position += 8;
        return value;
    }

    public ReadOnlySpan<byte> ReadBytes(long count, string what)
    {
        Require(count, what);
        var bytes = _data.Slice(_position, (int)count);
        _position += (int)count;
        return bytes;
    }

    /// <summary>Decodes UTF-8; invalid sequences become U+FFFD rather than failing.</summary>
    public string ReadUtf8(long length, string what)
    {
        if (length == 0)
            return string.Empty;
        return Encoding.UTF8.GetString(ReadBytes(length, what));
    }

    /// <summary>Counts one decoded value against <see cref="AmfReaderLimits.MaxValues"/>.</summary>
    public void CountValues(int count, int offset)
    {
        if ((long)_values + count > _maxValues)
            throw Error($"more than {_maxValues} AMF values in one message", offset);
        _values += count;
    }

    /// <summary>Enters a container; checked before recursing so deep input cannot overflow the stack.</summary>
    public void Enter(int offset)
    {
        if (_depth >= _maxDepth)
            throw Error($"AMF values nested deeper than {_maxDepth} levels", offset);
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
            throw Error("AMF values nested too deeply for the stack", offset);
        _depth++;
    }

    public void Exit() => _depth--;
}
