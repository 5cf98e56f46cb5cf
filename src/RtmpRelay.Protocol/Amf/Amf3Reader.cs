using System.Buffers.Binary;
using System.Globalization;

namespace RtmpRelay.Protocol.Amf;

/// <summary>
/// Decodes one AMF3 value (reached through the AMF0 avmplus-object marker 0x11). Covers what encoders
/// actually send in commands and data messages; externalizable objects are refused because their body
/// format is private to each class.
/// </summary>
internal static class Amf3Reader
{
    private static readonly object BoxedTrue = true;
    private static readonly object BoxedFalse = false;

    public static object? ReadValue(ref AmfInput input)
    {
        int start = input.Position;
        byte marker = input.ReadByte("AMF3 type marker");
        input.CountValues(1, start);
        switch (marker)
        {
            case Amf3Marker.Undefined:
                return AmfUndefined.Value;
            case Amf3Marker.Null:
                return null;
            case Amf3Marker.False:
                return BoxedFalse;
            case Amf3Marker.True:
                return BoxedTrue;
            case Amf3Marker.Integer:
            {
                // 29-bit two's complement: sign-extend from bit 28.
                int value = ReadU29(ref input, "AMF3 integer");
                return (double)((value << 3) >> 3);
            }
            case Amf3Marker.Double:
                return input.ReadDouble("AMF3 double");
            case Amf3Marker.String:
                return ReadString(ref input, "AMF3 string");
            case Amf3Marker.XmlDocument:
            case Amf3Marker.Xml:
                return ReadXml(ref input, start);
            case Amf3Marker.Date:
                return ReadDate(ref input, start);
            case Amf3Marker.Array:
                return ReadArray(ref input, start);
            case Amf3Marker.Object:
                return ReadObject(ref input, start);
            case Amf3Marker.ByteArray:
                return ReadByteArray(ref input, start);
            case Amf3Marker.VectorInt:
            case Amf3Marker.VectorUInt:
            case Amf3Marker.VectorDouble:
                return ReadNumberVector(ref input, start, marker);
            case Amf3Marker.VectorObject:
                return ReadObjectVector(ref input, start);
            case Amf3Marker.Dictionary:
                return ReadDictionary(ref input, start);
            default:
                throw input.Error($"unknown AMF3 type marker 0x{marker:X2}", start);
        }
    }

    /// <summary>Variable-length unsigned 29-bit integer: up to 3 bytes of 7 bits, then one of 8.</summary>
    private static int ReadU29(ref AmfInput input, string what)
    {
        int value = 0;
        for (int i = 0; i < 3; i++)
        {
            byte b = input.ReadByte(what);
            value = (value << 7) | (b & 0x7F);
            if ((b & 0x80) == 0)
                return value;
        }
        return (value << 8) | input.ReadByte(what);
    }

    /// <summary>UTF-8-vr: either an inline string (added to the string table unless empty) or a reference.</summary>
    private static string ReadString(ref AmfInput input, string what)
    {
        int start = input.Position;
        int header = ReadU29(ref input, what);
        if ((header & 1) == 0)
        {
            int index = header >> 1;
            int count = input.Amf3Strings?.Count ?? 0;
            if (index >= count)
                throw input.Error($"{what} refers to string {index} but only {count} strings precede it", start);
            return input.Amf3Strings![index];
        }
        int length = header >> 1;
        if (length == 0)
            return string.Empty;
        string value = input.ReadUtf8(length, what);
        (input.Amf3Strings ??= []).Add(value);
        return value;
    }

    /// <summary>
    /// Reads the U29 header shared by the object-table types. Returns false with <paramref name="reference"/>
    /// set when it is a reference; otherwise true with the header's value bits in <paramref name="value"/>.
    /// </summary>
    private static bool ReadInlineHeader(ref AmfInput input, int start, string what, out int value, out object? reference)
    {
        int header = ReadU29(ref input, what);
        value = header >> 1;
        reference = null;
        if ((header & 1) != 0)
            return true;
        int count = input.Amf3Objects?.Count ?? 0;
        if (value >= count)
            throw input.Error($"{what} refers to object {value} but only {count} objects precede it", start);
        reference = input.Amf3Objects![value];
        return false;
    }

    // Containers are registered before their members are read, so members may refer back to them.
    private static void Register(ref AmfInput input, object value) => (input.Amf3Objects ??= []).Add(value);

    private static object ReadXml(ref AmfInput input, int start)
    {
        if (!ReadInlineHeader(ref input, start, "AMF3 XML", out int length, out var reference))
            return reference!;
        var xml = new AmfXmlDocument(input.ReadUtf8(length, "AMF3 XML"));
        Register(ref input, xml);
        return xml;
    }

    private static object ReadDate(ref AmfInput input, int start)
    {
        if (!ReadInlineHeader(ref input, start, "AMF3 date", out _, out var reference))
            return reference!;
        int offset = input.Position;
        double milliseconds = input.ReadDouble("AMF3 date");
        if (!AmfDate.TryFromUnixMilliseconds(milliseconds, out var date))
            throw input.Error($"AMF3 date {milliseconds} ms is outside the representable range", offset);
        object boxed = date; // Boxed once so a later reference yields this same instance.
        Register(ref input, boxed);
        return boxed;
    }

    private static object ReadArray(ref AmfInput input, int start)
    {
        if (!ReadInlineHeader(ref input, start, "AMF3 array", out int denseCount, out var reference))
            return reference!;
        // Each dense element takes at least one byte: check before allocating.
        if (denseCount > input.Remaining)
            throw input.Error($"AMF3 array count {denseCount} exceeds the {input.Remaining} bytes remaining", start);
        input.Enter(start);
        // The associative part comes first and ends with the empty string (always the single byte 0x01),
        // so one byte of lookahead decides the shape before anything that could refer back is read.
        object result;
        if (input.PeekByte("AMF3 array associative part") == 0x01)
        {
            input.ReadByte("AMF3 array associative part");
            var dense = denseCount == 0 ? [] : new object?[denseCount];
            Register(ref input, dense);
            for (int i = 0; i < dense.Length; i++)
                dense[i] = ReadValue(ref input);
            result = dense;
        }
        else
        {
            var mixed = new AmfObject { IsEcmaArray = true };
            Register(ref input, mixed);
            while (true)
            {
                string key = ReadString(ref input, "AMF3 array key");
                if (key.Length == 0)
                    break;
                mixed[key] = ReadValue(ref input);
            }
            for (int i = 0; i < denseCount; i++)
                mixed[i.ToString(CultureInfo.InvariantCulture)] = ReadValue(ref input);
            result = mixed;
        }
        input.Exit();
        return result;
    }

    private static object ReadObject(ref AmfInput input, int start)
    {
        if (!ReadInlineHeader(ref input, start, "AMF3 object", out int header, out var reference))
            return reference!;
        // header now holds the U29O bits above the reference flag: bit 0 inline traits, bit 1
        // externalizable, bit 2 dynamic, the rest the sealed member count.
        Amf3Traits traits;
        if ((header & 1) == 0)
        {
            int index = header >> 1;
            int count = input.Amf3Traits?.Count ?? 0;
            if (index >= count)
                throw input.Error($"AMF3 object refers to traits {index} but only {count} traits precede it", start);
            traits = input.Amf3Traits![index];
        }
        else
        {
            bool externalizable = (header & 2) != 0;
            bool dynamic = (header & 4) != 0;
            int sealedCount = header >> 3;
            string className = ReadString(ref input, "AMF3 class name");
            if (externalizable)
                throw input.Error($"AMF3 externalizable class '{className}' is not supported", start);
            // Each sealed member needs at least a name byte and a value byte.
            if (2L * sealedCount > input.Remaining)
                throw input.Error($"AMF3 sealed member count {sealedCount} exceeds the {input.Remaining} bytes remaining", start);
            var names = sealedCount == 0 ? [] : new string[sealedCount];
            for (int i = 0; i < names.Length; i++)
                names[i] = ReadString(ref input, "AMF3 sealed member name");
            traits = new Amf3Traits(className, names, dynamic);
            (input.Amf3Traits ??= []).Add(traits);
        }

        if (traits.SealedMembers.Length > input.Remaining)
            throw input.Error($"AMF3 object has {traits.SealedMembers.Length} sealed members but only {input.Remaining} bytes remain", start);
        var obj = new AmfObject(traits.ClassName.Length == 0 ? null : traits.ClassName);
        Register(ref input, obj);
        input.Enter(start);
        foreach (string name in traits.SealedMembers)
            obj[name] = ReadValue(ref input);
        if (traits.IsDynamic)
        {
            while (true)
            {
                string key = ReadString(ref input, "AMF3 dynamic member name");
                if (key.Length == 0)
                    break;
                obj[key] = ReadValue(ref input);
            }
        }
        input.Exit();
        return obj;
    }

    private static object ReadByteArray(ref AmfInput input, int start)
    {
        if (!ReadInlineHeader(ref input, start, "AMF3 byte array", out int length, out var reference))
            return reference!;
        byte[] bytes = input.ReadBytes(length, "AMF3 byte array").ToArray();
        Register(ref input, bytes);
        return bytes;
    }

    private static object ReadNumberVector(ref AmfInput input, int start, byte marker)
    {
        if (!ReadInlineHeader(ref input, start, "AMF3 vector", out int count, out var reference))
            return reference!;
        input.ReadByte("AMF3 vector fixed-length flag");
        int size = marker == Amf3Marker.VectorDouble ? 8 : 4;
        var elements = input.ReadBytes((long)count * size, "AMF3 vector elements");
        input.CountValues(count, start);
        var vector = count == 0 ? [] : new object?[count];
        for (int i = 0; i < vector.Length; i++)
        {
            var item = elements.Slice(i * size, size);
            vector[i] = marker switch
            {
                Amf3Marker.VectorInt => (double)BinaryPrimitives.ReadInt32BigEndian(item),
                Amf3Marker.VectorUInt => (double)BinaryPrimitives.ReadUInt32BigEndian(item),
                _ => BinaryPrimitives.ReadDoubleBigEndian(item),
            };
        }
        Register(ref input, vector);
        return vector;
    }

    private static object ReadObjectVector(ref AmfInput input, int start)
    {
        if (!ReadInlineHeader(ref input, start, "AMF3 vector", out int count, out var reference))
            return reference!;
        input.ReadByte("AMF3 vector fixed-length flag");
        ReadString(ref input, "AMF3 vector element type name");
        if (count > input.Remaining)
            throw input.Error($"AMF3 vector count {count} exceeds the {input.Remaining} bytes remaining", start);
        var vector = count == 0 ? [] : new object?[count];
        Register(ref input, vector);
        input.Enter(start);
        for (int i = 0; i < vector.Length; i++)
            vector[i] = ReadValue(ref input);
        input.Exit();
        return vector;
    }

    private static object ReadDictionary(ref AmfInput input, int start)
    {
        if (!ReadInlineHeader(ref input, start, "AMF3 dictionary", out int count, out var reference))
            return reference!;
        input.ReadByte("AMF3 dictionary weak-keys flag");
        // Each entry is a key and a value of at least one byte each.
        if (2L * count > input.Remaining)
            throw input.Error($"AMF3 dictionary count {count} exceeds what the {input.Remaining} remaining bytes can hold", start);
        var dictionary = new AmfObject();
        Register(ref input, dictionary);
        input.Enter(start);
        for (int i = 0; i < count; i++)
        {
            object? key = ReadValue(ref input);
            dictionary[KeyString(key)] = ReadValue(ref input);
        }
        input.Exit();
        return dictionary;
    }

    private static string KeyString(object? key) => key switch
    {
        null => "null",
        string s => s,
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        DateTimeOffset date => date.ToString("O", CultureInfo.InvariantCulture),
        AmfXmlDocument xml => xml.Xml,
        _ => key.ToString() ?? string.Empty,
    };
}
