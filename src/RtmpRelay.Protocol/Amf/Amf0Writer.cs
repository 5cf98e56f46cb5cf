using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;

namespace RtmpRelay.Protocol.Amf;

/// <summary>
/// Encodes AMF0 values straight into an <see cref="IBufferWriter{T}"/> (big-endian, UTF-8). Every method
/// returns the number of bytes it wrote.
/// </summary>
/// <remarks>
/// One call never writes more than <see cref="MaxEncodedLength"/> bytes and never nests deeper than
/// <see cref="MaxDepth"/> levels: values decoded from a peer may share or cycle through references, and
/// re-encoding them must fail with <see cref="AmfException"/> rather than loop or exhaust memory.
/// Values that AMF0 cannot express (an empty or over-long property name, a byte array) also throw
/// <see cref="AmfException"/>; CLR types with no AMF0 meaning throw <see cref="ArgumentException"/>.
/// </remarks>
public static class Amf0Writer
{
    /// <summary>Most bytes one call writes: 16,777,215, the largest RTMP message.</summary>
    public const int MaxEncodedLength = 0xFFFFFF;

    /// <summary>Deepest nesting of objects and arrays one call writes: 128.</summary>
    public const int MaxDepth = 128;

    /// <summary>Writes a number (marker 0x00, 8-byte big-endian IEEE 754 double).</summary>
    public static int WriteNumber(IBufferWriter<byte> writer, double value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        long total = 0;
        Number(writer, value, ref total);
        return (int)total;
    }

    /// <summary>Writes a boolean (marker 0x01, one byte 0 or 1).</summary>
    public static int WriteBoolean(IBufferWriter<byte> writer, bool value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        long total = 0;
        Boolean(writer, value, ref total);
        return (int)total;
    }

    /// <summary>
    /// Writes a string: marker 0x02 with a 16-bit length, or the long-string marker 0x0C with a 32-bit
    /// length when the UTF-8 form exceeds 65535 bytes.
    /// </summary>
    public static int WriteString(IBufferWriter<byte> writer, string value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        long total = 0;
        String(writer, value, ref total);
        return (int)total;
    }

    /// <summary>Writes null (marker 0x05).</summary>
    public static int WriteNull(IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        long total = 0;
        Marker(writer, Amf0Marker.Null, ref total);
        return (int)total;
    }

    /// <summary>Writes undefined (marker 0x06).</summary>
    public static int WriteUndefined(IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        long total = 0;
        Marker(writer, Amf0Marker.Undefined, ref total);
        return (int)total;
    }

    /// <summary>Writes a date (marker 0x0B, milliseconds since the Unix epoch as a double, time zone 0).</summary>
    public static int WriteDate(IBufferWriter<byte> writer, DateTimeOffset value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        long total = 0;
        Date(writer, value, ref total);
        return (int)total;
    }

    /// <summary>Writes an XML document (marker 0x0F, 32-bit length, UTF-8).</summary>
    public static int WriteXmlDocument(IBufferWriter<byte> writer, AmfXmlDocument value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        long total = 0;
        LongUtf8(writer, Amf0Marker.XmlDocument, value.Xml, ref total);
        return (int)total;
    }

    /// <summary>
    /// Writes an object: an ECMA array (0x08) when <see cref="AmfObject.IsEcmaArray"/>, a typed object (0x10)
    /// when <see cref="AmfObject.ClassName"/> is set, otherwise an anonymous object (0x03); properties in
    /// order, then the end marker 00 00 09.
    /// </summary>
    public static int WriteObject(IBufferWriter<byte> writer, AmfObject value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        long total = 0;
        Object(writer, value, 0, ref total);
        return (int)total;
    }

    /// <summary>Writes a strict array (marker 0x0A, 32-bit count, then each value).</summary>
    public static int WriteStrictArray(IBufferWriter<byte> writer, IReadOnlyList<object?> values)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(values);
        long total = 0;
        StrictArray(writer, values, 0, ref total);
        return (int)total;
    }

    /// <summary>
    /// Writes any supported value: null; <see cref="AmfUndefined"/>; <see cref="bool"/>; any CLR integral
    /// type, <see cref="float"/>, <see cref="double"/> or <see cref="decimal"/> (as a number);
    /// <see cref="string"/>; <see cref="AmfObject"/>; <c>object?[]</c> or <see cref="IReadOnlyList{T}"/> of
    /// objects (strict array); <see cref="DateTimeOffset"/> or <see cref="DateTime"/> (a
    /// <see cref="DateTimeKind.Unspecified"/> time is taken as UTC); <see cref="AmfXmlDocument"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The value's type has no AMF0 encoding.</exception>
    /// <exception cref="AmfException">The value cannot be expressed in AMF0 or exceeds the write limits.</exception>
    public static int WriteValue(IBufferWriter<byte> writer, object? value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        long total = 0;
        Value(writer, value, 0, ref total);
        return (int)total;
    }

    /// <summary>
    /// Writes each value in turn (as <see cref="WriteValue"/>); the limits apply to them together, as to
    /// one message.
    /// </summary>
    /// <returns>Total bytes written.</returns>
    public static int WriteValues(IBufferWriter<byte> writer, params object?[] values)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(values);
        long total = 0;
        foreach (object? value in values)
            Value(writer, value, 0, ref total);
        return (int)total;
    }

    private static void Value(IBufferWriter<byte> writer, object? value, int depth, ref long total)
    {
        switch (value)
        {
            case null:
                Marker(writer, Amf0Marker.Null, ref total);
                break;
            case string s:
                String(writer, s, ref total);
                break;
            case double d:
                Number(writer, d, ref total);
                break;
            case bool b:
                Boolean(writer, b, ref total);
                break;
            case AmfObject obj:
                Object(writer, obj, depth, ref total);
                break;
            case AmfUndefined:
                Marker(writer, Amf0Marker.Undefined, ref total);
                break;
            case int i:
                Number(writer, i, ref total);
                break;
            case long l:
                Number(writer, l, ref total);
                break;
            case uint ui:
                Number(writer, ui, ref total);
                break;
            case ulong ul:
                Number(writer, ul, ref total);
                break;
            case short sh:
                Number(writer, sh, ref total);
                break;
            case ushort us:
                Number(writer, us, ref total);
                break;
            case byte by:
                Number(writer, by, ref total);
                break;
            case sbyte sb:
                Number(writer, sb, ref total);
                break;
            case float f:
                Number(writer, f, ref total);
                break;
            case decimal m:
                Number(writer, (double)m, ref total);
                break;
            case DateTimeOffset date:
                Date(writer, date, ref total);
                break;
            case DateTime dateTime:
                Date(writer, dateTime.Kind switch
                {
                    DateTimeKind.Local => new DateTimeOffset(dateTime.ToUniversalTime()),
                    _ => new DateTimeOffset(DateTime.SpecifyKind(dateTime, DateTimeKind.Utc)),
                }, ref total);
                break;
            case AmfXmlDocument xml:
                LongUtf8(writer, Amf0Marker.XmlDocument, xml.Xml, ref total);
                break;
            case byte[]:
                // Checked before IReadOnlyList: an AMF3 ByteArray decodes to byte[] and has no AMF0 form.
                throw new AmfException("AMF0 has no byte array type");
            case IReadOnlyList<object?> list:
                StrictArray(writer, list, depth, ref total);
                break;
            default:
                throw new ArgumentException($"{value.GetType()} has no AMF0 encoding", nameof(value));
        }
    }

    private static void Object(IBufferWriter<byte> writer, AmfObject value, int depth, ref long total)
    {
        depth = Enter(depth);
        if (value.IsEcmaArray)
        {
            Charge(ref total, 5);
            var span = writer.GetSpan(5);
            span[0] = Amf0Marker.EcmaArray;
            BinaryPrimitives.WriteUInt32BigEndian(span.Slice(1), (uint)value.Count);
            writer.Advance(5);
        }
        else if (!string.IsNullOrEmpty(value.ClassName))
        {
            Marker(writer, Amf0Marker.TypedObject, ref total);
            ShortUtf8(writer, value.ClassName, "class name", ref total);
        }
        else
        {
            Marker(writer, Amf0Marker.Object, ref total);
        }

        foreach (var (key, item) in value)
        {
            ShortUtf8(writer, key, "property name", ref total);
            Value(writer, item, depth, ref total);
        }

        Charge(ref total, 3);
        var end = writer.GetSpan(3);
        end[0] = 0;
        end[1] = 0;
        end[2] = Amf0Marker.ObjectEnd;
        writer.Advance(3);
    }

    private static void StrictArray(IBufferWriter<byte> writer, IReadOnlyList<object?> values, int depth, ref long total)
    {
        depth = Enter(depth);
        Charge(ref total, 5);
        var span = writer.GetSpan(5);
        span[0] = Amf0Marker.StrictArray;
        BinaryPrimitives.WriteUInt32BigEndian(span.Slice(1), (uint)values.Count);
        writer.Advance(5);
        for (int i = 0; i < values.Count; i++)
            Value(writer, values[i], depth, ref total);
    }

    private static int Enter(int depth)
    {
        if (depth >= MaxDepth)
            throw new AmfException($"AMF0 value nested deeper than {MaxDepth} levels (is it cyclic?)");
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
            throw new AmfException("AMF0 value nested too deeply for the stack");
        return depth + 1;
    }

    private static void Charge(ref long total, long count)
    {
        total += count;
        if (total > MaxEncodedLength)
            throw new AmfException($"AMF0 encoding exceeds {MaxEncodedLength} bytes, the largest RTMP message");
    }

    private static void Marker(IBufferWriter<byte> writer, byte marker, ref long total)
    {
        Charge(ref total, 1);
        writer.GetSpan(1)[0] = marker;
        writer.Advance(1);
    }

    private static void Number(IBufferWriter<byte> writer, double value, ref long total)
    {
        Charge(ref total, 9);
        var span = writer.GetSpan(9);
        span[0] = Amf0Marker.Number;
        BinaryPrimitives.WriteDoubleBigEndian(span.Slice(1), value);
        writer.Advance(9);
    }

    private static void Boolean(IBufferWriter<byte> writer, bool value, ref long total)
    {
        Charge(ref total, 2);
        var span = writer.GetSpan(2);
        span[0] = Amf0Marker.Boolean;
        span[1] = value ? (byte)1 : (byte)0;
        writer.Advance(2);
    }

    private static void Date(IBufferWriter<byte> writer, DateTimeOffset value, ref long total)
    {
        Charge(ref total, 11);
        var span = writer.GetSpan(11);
        span[0] = Amf0Marker.Date;
        BinaryPrimitives.WriteDoubleBigEndian(span.Slice(1), AmfDate.ToUnixMilliseconds(value));
        BinaryPrimitives.WriteInt16BigEndian(span.Slice(9), 0);
        writer.Advance(11);
    }

    private static void String(IBufferWriter<byte> writer, string value, ref long total)
    {
        int length = Encoding.UTF8.GetByteCount(value);
        if (length > ushort.MaxValue)
        {
            LongUtf8(writer, Amf0Marker.LongString, value, length, ref total);
            return;
        }
        Charge(ref total, 3 + length);
        var span = writer.GetSpan(3 + length);
        span[0] = Amf0Marker.String;
        BinaryPrimitives.WriteUInt16BigEndian(span.Slice(1), (ushort)length);
        Encoding.UTF8.GetBytes(value, span.Slice(3));
        writer.Advance(3 + length);
    }

    private static void LongUtf8(IBufferWriter<byte> writer, byte marker, string value, ref long total) =>
        LongUtf8(writer, marker, value, Encoding.UTF8.GetByteCount(value), ref total);

    private static void LongUtf8(IBufferWriter<byte> writer, byte marker, string value, int length, ref long total)
    {
        Charge(ref total, 5L + length);
        var span = writer.GetSpan(5 + length);
        span[0] = marker;
        BinaryPrimitives.WriteUInt32BigEndian(span.Slice(1), (uint)length);
        Encoding.UTF8.GetBytes(value, span.Slice(5));
        writer.Advance(5 + length);
    }

    /// <summary>A property or class name: 16-bit length and UTF-8, no marker.</summary>
    private static void ShortUtf8(IBufferWriter<byte> writer, string value, string what, ref long total)
    {
        int length = Encoding.UTF8.GetByteCount(value);
        // An empty name would read back as the start of the object-end marker.
        if (length == 0)
            throw new AmfException($"AMF0 cannot encode an empty {what}");
        if (length > ushort.MaxValue)
            throw new AmfException($"AMF0 {what} of {length} UTF-8 bytes exceeds the 65535-byte limit");
        Charge(ref total, 2 + length);
        var span = writer.GetSpan(2 + length);
        BinaryPrimitives.WriteUInt16BigEndian(span, (ushort)length);
        Encoding.UTF8.GetBytes(value, span.Slice(2));
        writer.Advance(2 + length);
    }
}
