using System.Buffers;
using RtmpRelay.Protocol.Amf;

namespace RtmpRelay.Tests.Protocol.Amf;

public class Amf0WriterTests
{
    [Fact]
    public void Number_1_5() =>
        AmfHex.AssertEncodes("00 3F F8 00 00 00 00 00 00", w => Amf0Writer.WriteNumber(w, 1.5));

    [Fact]
    public void Boolean_true_and_false()
    {
        AmfHex.AssertEncodes("01 01", w => Amf0Writer.WriteBoolean(w, true));
        AmfHex.AssertEncodes("01 00", w => Amf0Writer.WriteBoolean(w, false));
    }

    [Fact]
    public void String_connect() =>
        AmfHex.AssertEncodes("02 00 07 63 6F 6E 6E 65 63 74", w => Amf0Writer.WriteString(w, "connect"));

    [Fact]
    public void String_empty() =>
        AmfHex.AssertEncodes("02 00 00", w => Amf0Writer.WriteString(w, ""));

    [Fact]
    public void String_length_counts_utf8_bytes() =>
        // "é" is two UTF-8 bytes, "€" three.
        AmfHex.AssertEncodes("02 00 05 C3 A9 E2 82 AC", w => Amf0Writer.WriteString(w, "é€"));

    [Fact]
    public void String_of_exactly_65535_bytes_is_a_short_string()
    {
        byte[] bytes = AmfHex.Encode(w => Amf0Writer.WriteString(w, new string('a', 65535)), out int reported);
        Assert.Equal(3 + 65535, reported);
        Assert.Equal("02 FF FF 61", AmfHex.Format(bytes.AsSpan(0, 4)));
    }

    [Fact]
    public void Long_string_uses_marker_0C_and_32_bit_length()
    {
        byte[] bytes = AmfHex.Encode(w => Amf0Writer.WriteString(w, new string('a', 70000)), out int reported);
        Assert.Equal(5 + 70000, bytes.Length);
        Assert.Equal(bytes.Length, reported);
        // 70000 = 0x00011170
        Assert.Equal("0C 00 01 11 70 61", AmfHex.Format(bytes.AsSpan(0, 6)));
        Assert.All(bytes.Skip(5), b => Assert.Equal((byte)'a', b));
    }

    [Fact]
    public void Null_and_undefined()
    {
        AmfHex.AssertEncodes("05", Amf0Writer.WriteNull);
        AmfHex.AssertEncodes("06", Amf0Writer.WriteUndefined);
        AmfHex.AssertEncodes("05", w => Amf0Writer.WriteValue(w, null));
        AmfHex.AssertEncodes("06", w => Amf0Writer.WriteValue(w, AmfUndefined.Value));
    }

    [Fact]
    public void Object_app_live() =>
        AmfHex.AssertEncodes(
            "03 00 03 61 70 70 02 00 04 6C 69 76 65 00 00 09",
            w => Amf0Writer.WriteObject(w, new AmfObject { { "app", "live" } }));

    [Fact]
    public void Empty_object() =>
        AmfHex.AssertEncodes("03 00 00 09", w => Amf0Writer.WriteObject(w, new AmfObject()));

    [Fact]
    public void Ecma_array_writes_count_and_end_marker() =>
        AmfHex.AssertEncodes(
            "08 00 00 00 02" +
            " 00 08 64 75 72 61 74 69 6F 6E 00 00 00 00 00 00 00 00 00" + // duration: 0
            " 00 06 73 74 65 72 65 6F 01 01" +                               // stereo: true
            " 00 00 09",
            w => Amf0Writer.WriteObject(w, new AmfObject { IsEcmaArray = true }.Add("duration", 0.0).Add("stereo", true)));

    [Fact]
    public void Strict_array() =>
        AmfHex.AssertEncodes(
            "0A 00 00 00 03 00 3F F0 00 00 00 00 00 00 02 00 01 61 05",
            w => Amf0Writer.WriteStrictArray(w, new object?[] { 1.0, "a", null }));

    [Fact]
    public void Date_is_unix_milliseconds_with_zero_time_zone() =>
        // 2024-01-01T00:00:00Z = 1704067200000 ms = 0x4278CC251F400000 as a double.
        AmfHex.AssertEncodes(
            "0B 42 78 CC 25 1F 40 00 00 00 00",
            w => Amf0Writer.WriteDate(w, new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero)));

    [Fact]
    public void Date_with_offset_is_written_as_utc() =>
        AmfHex.AssertEncodes(
            "0B 42 78 CC 25 1F 40 00 00 00 00",
            w => Amf0Writer.WriteDate(w, new DateTimeOffset(2024, 1, 1, 2, 0, 0, TimeSpan.FromHours(2))));

    [Fact]
    public void Typed_object() =>
        AmfHex.AssertEncodes(
            "10 00 03 46 6F 6F 00 01 78 00 3F F0 00 00 00 00 00 00 00 00 09",
            w => Amf0Writer.WriteObject(w, new AmfObject("Foo") { { "x", 1.0 } }));

    [Fact]
    public void Xml_document() =>
        AmfHex.AssertEncodes("0F 00 00 00 04 3C 61 2F 3E", w => Amf0Writer.WriteValue(w, new AmfXmlDocument("<a/>")));

    [Theory]
    [InlineData((byte)7)]
    [InlineData((sbyte)7)]
    [InlineData((short)7)]
    [InlineData((ushort)7)]
    [InlineData(7)]
    [InlineData(7u)]
    [InlineData(7L)]
    [InlineData(7UL)]
    [InlineData(7f)]
    [InlineData(7d)]
    public void WriteValue_writes_every_numeric_type_as_a_number(object value) =>
        AmfHex.AssertEncodes("00 40 1C 00 00 00 00 00 00", w => Amf0Writer.WriteValue(w, value));

    [Fact]
    public void WriteValue_writes_decimal_as_a_number() =>
        AmfHex.AssertEncodes("00 3F F8 00 00 00 00 00 00", w => Amf0Writer.WriteValue(w, 1.5m));

    [Fact]
    public void WriteValue_dispatches_lists_as_strict_arrays()
    {
        AmfHex.AssertEncodes("0A 00 00 00 01 02 00 01 61", w => Amf0Writer.WriteValue(w, new[] { "a" }));
        AmfHex.AssertEncodes("0A 00 00 00 01 05", w => Amf0Writer.WriteValue(w, new List<object?> { null }));
    }

    [Fact]
    public void WriteValue_dispatches_DateTime_by_kind()
    {
        const string expected = "0B 42 78 CC 25 1F 40 00 00 00 00";
        AmfHex.AssertEncodes(expected, w => Amf0Writer.WriteValue(w, new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc)));
        AmfHex.AssertEncodes(expected, w => Amf0Writer.WriteValue(w, new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Unspecified)));
        var local = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc).ToLocalTime();
        AmfHex.AssertEncodes(expected, w => Amf0Writer.WriteValue(w, local));
        AmfHex.AssertEncodes(expected, w => Amf0Writer.WriteValue(w, new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void WriteValues_writes_a_connect_command_and_returns_its_length()
    {
        var command = new AmfObject
        {
            { "app", "live" },
            { "type", "nonprivate" },
            { "flashVer", "FMLE/3.0 (compatible; Lavf61.7.100)" },
            { "tcUrl", "rtmp://127.0.0.1:1935/live" },
        };
        byte[] bytes = AmfHex.Encode(w => Amf0Writer.WriteValues(w, "connect", 1, command), out int reported);
        Assert.Equal(AmfHex.Format(AmfSamples.FfmpegConnect), AmfHex.Format(bytes));
        Assert.Equal(bytes.Length, reported);
    }

    [Fact]
    public void Unsupported_clr_type_throws_ArgumentException()
    {
        var buffer = new ArrayBufferWriter<byte>();
        Assert.Throws<ArgumentException>(() => Amf0Writer.WriteValue(buffer, new Uri("rtmp://x")));
    }

    [Fact]
    public void Byte_array_has_no_amf0_form()
    {
        var buffer = new ArrayBufferWriter<byte>();
        Assert.Throws<AmfException>(() => Amf0Writer.WriteValue(buffer, new byte[] { 1 }));
    }

    [Fact]
    public void Empty_property_name_is_refused()
    {
        var buffer = new ArrayBufferWriter<byte>();
        Assert.Throws<AmfException>(() => Amf0Writer.WriteObject(buffer, new AmfObject { { "", 1.0 } }));
    }

    [Fact]
    public void Property_name_over_65535_bytes_is_refused()
    {
        var buffer = new ArrayBufferWriter<byte>();
        Assert.Throws<AmfException>(() => Amf0Writer.WriteObject(buffer, new AmfObject { { new string('k', 65536), 1.0 } }));
    }

    [Fact]
    public void Cyclic_value_throws_instead_of_overflowing_the_stack()
    {
        var obj = new AmfObject();
        obj["self"] = obj;
        var buffer = new ArrayBufferWriter<byte>();
        var ex = Assert.Throws<AmfException>(() => Amf0Writer.WriteValue(buffer, obj));
        Assert.Contains("nested deeper", ex.Message);
    }

    [Fact]
    public void Shared_references_that_would_expand_exponentially_hit_the_size_cap()
    {
        // Each level refers to the previous one twice: 40 levels would expand to 2^40 leaves.
        object? node = new string('x', 100);
        for (int i = 0; i < 40; i++)
            node = new object?[] { node, node };
        var buffer = new ArrayBufferWriter<byte>();
        var ex = Assert.Throws<AmfException>(() => Amf0Writer.WriteValue(buffer, node));
        Assert.Contains("exceeds", ex.Message);
        Assert.True(buffer.WrittenCount <= Amf0Writer.MaxEncodedLength);
    }
}
