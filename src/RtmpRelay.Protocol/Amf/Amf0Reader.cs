namespace RtmpRelay.Protocol.Amf;

/// <summary>
/// Decodes AMF0 values from one complete message held in memory. Values map to CLR types as follows:
/// number → <see cref="double"/>, boolean → <see cref="bool"/>, string and long string → <see cref="string"/>,
/// object / typed object / ECMA array → <see cref="AmfObject"/>, strict array → <c>object?[]</c>,
/// date → <see cref="DateTimeOffset"/> (UTC), XML document → <see cref="AmfXmlDocument"/>, null → null,
/// undefined and unsupported → <see cref="AmfUndefined.Value"/>, reference → the instance decoded earlier.
/// The avmplus-object marker (0x11) switches to AMF3 for the one value that follows; the AMF3 reference
/// tables live as long as this reader.
/// </summary>
/// <remarks>
/// Any malformed, truncated or over-limit input throws <see cref="AmfException"/> and nothing else. After
/// an exception the reader's position is unspecified; discard it.
/// </remarks>
public ref struct Amf0Reader
{
    private static readonly object BoxedTrue = true;
    private static readonly object BoxedFalse = false;

    private AmfInput _input;

    /// <summary>Creates a reader over <paramref name="data"/>.</summary>
    /// <param name="data">The encoded values (a complete message).</param>
    /// <param name="limits">Decoding limits; <see cref="AmfReaderLimits.Default"/> when null.</param>
    public Amf0Reader(ReadOnlySpan<byte> data, AmfReaderLimits? limits = null)
    {
        _input = new AmfInput(data, limits ?? AmfReaderLimits.Default);
    }

    /// <summary>True when every byte has been consumed.</summary>
    public readonly bool End => _input.End;

    /// <summary>Number of bytes consumed so far.</summary>
    public readonly int Consumed => _input.Position;

    /// <summary>Decodes every value in <paramref name="data"/>, in order.</summary>
    /// <param name="data">The encoded values (a complete message).</param>
    /// <param name="limits">Decoding limits; <see cref="AmfReaderLimits.Default"/> when null.</param>
    /// <exception cref="AmfException">The data is malformed, truncated or over a limit.</exception>
    public static List<object?> ReadAll(ReadOnlySpan<byte> data, AmfReaderLimits? limits = null)
    {
        var reader = new Amf0Reader(data, limits);
        var values = new List<object?>();
        while (!reader.End)
            values.Add(reader.ReadValue());
        return values;
    }

    /// <summary>Decodes the next value.</summary>
    /// <exception cref="AmfException">No value remains, or the data is malformed, truncated or over a limit.</exception>
    public object? ReadValue()
    {
        if (_input.End)
            throw _input.Error("expected an AMF0 value but the data has ended");
        try
        {
            return ReadValueCore();
        }
        catch (AmfException)
        {
            throw;
        }
        catch (Exception ex)
        {
            // Defence in depth: the decoder checks bounds itself, but whatever slips through must still
            // surface as a protocol error on this connection, never as a crash.
            throw _input.Error($"AMF0 value could not be decoded ({ex.GetType().Name}: {ex.Message})");
        }
    }

    /// <summary>Decodes the next value, which must be a string (AMF0 string, long string, or AMF3 string).</summary>
    /// <exception cref="AmfException">The value is not a string, or cannot be decoded.</exception>
    public string ReadString()
    {
        int start = _input.Position;
        return ReadValue() as string ?? throw _input.Error("expected an AMF string", start);
    }

    /// <summary>Decodes the next value, which must be a number (AMF0 number, or AMF3 integer/double).</summary>
    /// <exception cref="AmfException">The value is not a number, or cannot be decoded.</exception>
    public double ReadNumber()
    {
        int start = _input.Position;
        return ReadValue() is double d ? d : throw _input.Error("expected an AMF number", start);
    }

    /// <summary>
    /// Decodes the next value if it is a string; otherwise (including at the end) consumes nothing and returns false.
    /// </summary>
    /// <param name="value">The string, or empty when false is returned.</param>
    /// <exception cref="AmfException">The next value is a string but cannot be decoded.</exception>
    public bool TryReadString(out string value)
    {
        value = string.Empty;
        if (!NextMarkerIs(Amf0Marker.String, Amf0Marker.LongString, Amf3Marker.String, Amf3Marker.String))
            return false;
        value = (string)ReadValue()!;
        return true;
    }

    /// <summary>
    /// Decodes the next value if it is a number; otherwise (including at the end) consumes nothing and returns false.
    /// </summary>
    /// <param name="value">The number, or 0 when false is returned.</param>
    /// <exception cref="AmfException">The next value is a number but cannot be decoded.</exception>
    public bool TryReadNumber(out double value)
    {
        value = 0;
        if (!NextMarkerIs(Amf0Marker.Number, Amf0Marker.Number, Amf3Marker.Integer, Amf3Marker.Double))
            return false;
        value = (double)ReadValue()!;
        return true;
    }

    private readonly bool NextMarkerIs(byte amf0A, byte amf0B, byte amf3A, byte amf3B)
    {
        int marker = _input.PeekAt(0);
        if (marker == amf0A || marker == amf0B)
            return true;
        // After the switch marker, look at the AMF3 marker.
        int amf3 = marker == Amf0Marker.AvmPlusObject ? _input.PeekAt(1) : -1;
        return amf3 == amf3A || amf3 == amf3B;
    }

    private object? ReadValueCore()
    {
        int start = _input.Position;
        byte marker = _input.ReadByte("AMF0 type marker");
        // The AMF3 value behind a 0x11 switch counts itself.
        if (marker != Amf0Marker.AvmPlusObject)
            _input.CountValues(1, start);
        switch (marker)
        {
            case Amf0Marker.Number:
                return _input.ReadDouble("AMF0 number");
            case Amf0Marker.Boolean:
                return _input.ReadByte("AMF0 boolean") != 0 ? BoxedTrue : BoxedFalse;
            case Amf0Marker.String:
                return _input.ReadUtf8(_input.ReadUInt16("AMF0 string length"), "AMF0 string");
            case Amf0Marker.Object:
                return ReadProperties(Register(new AmfObject()), start, ecmaArray: false);
            case Amf0Marker.Null:
                return null;
            case Amf0Marker.Undefined:
            case Amf0Marker.Unsupported:
                return AmfUndefined.Value;
            case Amf0Marker.Reference:
                return ReadReference(start);
            case Amf0Marker.EcmaArray:
                // The count is only a hint (encoders get it wrong); the end marker is authoritative.
                _input.ReadUInt32("AMF0 ECMA array count");
                return ReadProperties(Register(new AmfObject { IsEcmaArray = true }), start, ecmaArray: true);
            case Amf0Marker.StrictArray:
                return ReadStrictArray(start);
            case Amf0Marker.Date:
                return ReadDate();
            case Amf0Marker.LongString:
                return _input.ReadUtf8(_input.ReadUInt32("AMF0 long string length"), "AMF0 long string");
            case Amf0Marker.XmlDocument:
                return new AmfXmlDocument(_input.ReadUtf8(_input.ReadUInt32("AMF0 XML document length"), "AMF0 XML document"));
            case Amf0Marker.TypedObject:
            {
                string className = _input.ReadUtf8(_input.ReadUInt16("AMF0 typed object class name length"), "AMF0 typed object class name");
                return ReadProperties(Register(new AmfObject(className)), start, ecmaArray: false);
            }
            case Amf0Marker.AvmPlusObject:
                return Amf3Reader.ReadValue(ref _input);
            case Amf0Marker.ObjectEnd:
                throw _input.Error("unexpected AMF0 object-end marker (0x09) where a value was expected", start);
            case Amf0Marker.MovieClip:
                throw _input.Error("AMF0 movie clip marker (0x04) is not supported", start);
            case Amf0Marker.RecordSet:
                throw _input.Error("AMF0 record set marker (0x0E) is not supported", start);
            default:
                throw _input.Error($"unknown AMF0 type marker 0x{marker:X2}", start);
        }
    }

    // Complex values join the reference table before their members are read, so a member may refer back
    // to its container (AMF0 spec 2.9).
    private T Register<T>(T value) where T : class
    {
        (_input.Amf0References ??= []).Add(value);
        return value;
    }

    private object ReadReference(int start)
    {
        int index = _input.ReadUInt16("AMF0 reference index");
        int count = _input.Amf0References?.Count ?? 0;
        if (index >= count)
            throw _input.Error($"AMF0 reference to index {index} but only {count} complex values precede it", start);
        return _input.Amf0References![index];
    }

    private AmfObject ReadProperties(AmfObject obj, int start, bool ecmaArray)
    {
        _input.Enter(start);
        while (true)
        {
            // Some encoders drop the terminator of an ECMA array that ends the message; tolerate only that.
            if (ecmaArray && _input.End)
                break;
            int keyOffset = _input.Position;
            int keyLength = _input.ReadUInt16("AMF0 property name length");
            if (keyLength == 0)
            {
                if (ecmaArray && _input.End)
                    break;
                if (_input.PeekByte("AMF0 object-end marker") == Amf0Marker.ObjectEnd)
                {
                    _input.ReadByte("AMF0 object-end marker");
                    break;
                }
                // An empty name not followed by 0x09 is unambiguous: a property named "".
            }
            string key = _input.ReadUtf8(keyLength, "AMF0 property name");
            if (_input.End)
                throw _input.Error($"truncated AMF0 object: property '{key}' has no value", keyOffset);
            obj[key] = ReadValueCore();
        }
        _input.Exit();
        return obj;
    }

    private object?[] ReadStrictArray(int start)
    {
        uint count = _input.ReadUInt32("AMF0 strict array count");
        // Every element takes at least one byte, so a count beyond the remaining bytes is a lie; check
        // before allocating.
        if (count > _input.Remaining)
            throw _input.Error($"AMF0 strict array count {count} exceeds the {_input.Remaining} bytes remaining", start);
        var array = Register(count == 0 ? [] : new object?[count]);
        _input.Enter(start);
        for (int i = 0; i < array.Length; i++)
            array[i] = ReadValueCore();
        _input.Exit();
        return array;
    }

    private object ReadDate()
    {
        int offset = _input.Position;
        double milliseconds = _input.ReadDouble("AMF0 date");
        _input.ReadInt16("AMF0 date time zone"); // Reserved by the spec: the time is UTC whatever this says.
        if (!AmfDate.TryFromUnixMilliseconds(milliseconds, out var date))
            throw _input.Error($"AMF0 date {milliseconds} ms is outside the representable range", offset);
        return date;
    }
}
