using System.Buffers;
using RtmpRelay.Protocol.Amf;

namespace RtmpRelay.Tests.Protocol.Amf;

public class Amf0ReaderTests
{
    private static object? ReadOne(string hex)
    {
        var values = Amf0Reader.ReadAll(AmfHex.Bytes(hex));
        return Assert.Single(values);
    }

    [Fact]
    public void Number() => Assert.Equal(1.5, ReadOne("00 3F F8 00 00 00 00 00 00"));

    [Fact]
    public void Booleans()
    {
        Assert.Equal(true, ReadOne("01 01"));
        Assert.Equal(false, ReadOne("01 00"));
        Assert.Equal(true, ReadOne("01 7F")); // any non-zero byte is true
    }

    [Fact]
    public void String() => Assert.Equal("connect", ReadOne("02 00 07 63 6F 6E 6E 65 63 74"));

    [Fact]
    public void Long_string() => Assert.Equal("ab", ReadOne("0C 00 00 00 02 61 62"));

    [Fact]
    public void Null_undefined_and_unsupported()
    {
        Assert.Null(ReadOne("05"));
        Assert.Same(AmfUndefined.Value, ReadOne("06"));
        Assert.Same(AmfUndefined.Value, ReadOne("0D"));
    }

    [Fact]
    public void Object()
    {
        var obj = Assert.IsType<AmfObject>(ReadOne("03 00 03 61 70 70 02 00 04 6C 69 76 65 00 00 09"));
        Assert.Equal("live", obj.GetString("app"));
        Assert.Equal(1, obj.Count);
        Assert.Null(obj.ClassName);
        Assert.False(obj.IsEcmaArray);
    }

    [Fact]
    public void Typed_object()
    {
        var obj = Assert.IsType<AmfObject>(ReadOne("10 00 03 46 6F 6F 00 01 78 00 3F F0 00 00 00 00 00 00 00 00 09"));
        Assert.Equal("Foo", obj.ClassName);
        Assert.Equal(1.0, obj.GetNumber("x"));
    }

    [Fact]
    public void Ecma_array()
    {
        var obj = Assert.IsType<AmfObject>(ReadOne("08 00 00 00 01 00 01 61 01 01 00 00 09"));
        Assert.True(obj.IsEcmaArray);
        Assert.Equal(true, obj["a"]);
    }

    [Fact]
    public void Ecma_array_count_is_only_a_hint()
    {
        // Says 7 entries, holds 1: the end marker decides.
        var obj = Assert.IsType<AmfObject>(ReadOne("08 00 00 00 07 00 01 61 05 00 00 09"));
        Assert.Equal(1, obj.Count);
        Assert.True(obj.ContainsKey("a"));
        Assert.Null(obj["a"]);
    }

    [Fact]
    public void Ecma_array_without_terminator_at_the_end_of_the_data_is_accepted()
    {
        var obj = Assert.IsType<AmfObject>(ReadOne("08 00 00 00 01 00 01 61 01 01"));
        Assert.Equal(true, obj["a"]);
        // The bare empty name without the 0x09 is tolerated there too.
        obj = Assert.IsType<AmfObject>(ReadOne("08 00 00 00 01 00 01 61 01 01 00 00"));
        Assert.Equal(true, obj["a"]);
    }

    [Fact]
    public void Object_without_terminator_is_rejected() =>
        Assert.Throws<AmfException>(() => Amf0Reader.ReadAll(AmfHex.Bytes("03 00 01 61 01 01")));

    [Fact]
    public void Empty_name_followed_by_a_value_is_a_property_named_empty()
    {
        var obj = Assert.IsType<AmfObject>(ReadOne("03 00 00 05 00 00 09"));
        Assert.True(obj.ContainsKey(""));
    }

    [Fact]
    public void Strict_array()
    {
        var array = Assert.IsType<object?[]>(ReadOne("0A 00 00 00 03 00 3F F0 00 00 00 00 00 00 02 00 01 61 05"));
        Assert.Equal(new object?[] { 1.0, "a", null }, array);
    }

    [Fact]
    public void Date_ignores_time_zone()
    {
        var date = Assert.IsType<DateTimeOffset>(ReadOne("0B 42 78 CC 25 1F 40 00 00 FF 88"));
        Assert.Equal(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero), date);
        Assert.Equal(TimeSpan.Zero, date.Offset);
    }

    [Theory]
    [InlineData("0B 7F F8 00 00 00 00 00 00 00 00")] // NaN
    [InlineData("0B 7F F0 00 00 00 00 00 00 00 00")] // +infinity
    [InlineData("0B 7F EF FF FF FF FF FF FF 00 00")] // double.MaxValue
    [InlineData("0B C3 E0 00 00 00 00 00 00 00 00")] // -2^63
    [InlineData("0B 43 0C 23 32 B2 9F 00 00 00 00")] // 9.9e14 ms: ticks would wrap a long
    [InlineData("0B 42 EC CE FA 43 FB 80 00 00 00")] // just past DateTimeOffset.MaxValue
    [InlineData("0B C2 CC 41 89 16 6C 00 80 00 00")] // just before DateTimeOffset.MinValue
    public void Date_out_of_range_throws(string hex) =>
        Assert.Throws<AmfException>(() => Amf0Reader.ReadAll(AmfHex.Bytes(hex)));

    [Fact]
    public void Date_range_edges_decode()
    {
        var max = Assert.IsType<DateTimeOffset>(ReadOne("0B 42 EC CE FA 43 FB 7F E0 00 00"));
        Assert.Equal(DateTimeOffset.MaxValue.UtcTicks - 9999, max.UtcTicks);
        var min = Assert.IsType<DateTimeOffset>(ReadOne("0B C2 CC 41 89 16 6C 00 00 00 00"));
        Assert.Equal(DateTimeOffset.MinValue, min);
    }

    [Fact]
    public void Xml_document() =>
        Assert.Equal(new AmfXmlDocument("<a/>"), ReadOne("0F 00 00 00 04 3C 61 2F 3E"));

    [Fact]
    public void Reference_returns_the_same_instance()
    {
        // Strict array (reference 0) holding an object (reference 1) and a reference to that object.
        var array = Assert.IsType<object?[]>(ReadOne("0A 00 00 00 02 03 00 01 61 05 00 00 09 07 00 01"));
        Assert.IsType<AmfObject>(array[0]);
        Assert.Same(array[0], array[1]);
    }

    [Fact]
    public void Self_reference_resolves_to_the_container()
    {
        var obj = Assert.IsType<AmfObject>(ReadOne("03 00 04 73 65 6C 66 07 00 00 00 00 09"));
        Assert.Same(obj, obj["self"]);
    }

    [Theory]
    [InlineData("07 00 00")]
    [InlineData("03 00 01 61 07 00 01 00 00 09")]
    public void Reference_to_a_missing_index_throws(string hex)
    {
        var ex = Assert.Throws<AmfException>(() => Amf0Reader.ReadAll(AmfHex.Bytes(hex)));
        Assert.Contains("reference", ex.Message);
    }

    [Theory]
    [InlineData("04", "movie clip")]
    [InlineData("0E", "record set")]
    [InlineData("09", "object-end")]
    [InlineData("12", "unknown AMF0 type marker 0x12")]
    [InlineData("FF", "unknown AMF0 type marker 0xFF")]
    public void Unsupported_markers_throw(string hex, string reason)
    {
        var ex = Assert.Throws<AmfException>(() => Amf0Reader.ReadAll(AmfHex.Bytes(hex)));
        Assert.Contains(reason, ex.Message);
        Assert.Contains("byte offset 0", ex.Message);
        Assert.Equal(0, ex.Offset);
    }

    [Fact]
    public void Error_reports_the_offset()
    {
        // The string at offset 9 claims 16 bytes but only 1 follows.
        var ex = Assert.Throws<AmfException>(() => Amf0Reader.ReadAll(AmfHex.Bytes("00 3F F8 00 00 00 00 00 00 02 00 10 61")));
        Assert.Contains("AMF0 string", ex.Message);
        Assert.Equal(12, ex.Offset);
    }

    [Fact]
    public void Invalid_utf8_decodes_with_replacement_characters() =>
        Assert.Equal("\uFFFD(", ReadOne("02 00 02 C3 28"));

    [Fact]
    public void Ffmpeg_connect_command()
    {
        var values = Amf0Reader.ReadAll(AmfSamples.FfmpegConnect);
        Assert.Equal(3, values.Count);
        Assert.Equal("connect", values[0]);
        Assert.Equal(1.0, values[1]);
        var command = Assert.IsType<AmfObject>(values[2]);
        Assert.Equal(["app", "type", "flashVer", "tcUrl"], command.Select(p => p.Key));
        Assert.Equal("live", command.GetString("app"));
        Assert.Equal("nonprivate", command.GetString("type"));
        Assert.Equal("FMLE/3.0 (compatible; Lavf61.7.100)", command.GetString("flashVer"));
        Assert.Equal("rtmp://127.0.0.1:1935/live", command.GetString("tcUrl"));
    }

    [Fact]
    public void Obs_set_data_frame()
    {
        var values = Amf0Reader.ReadAll(AmfSamples.SetDataFrame);
        Assert.Equal(["@setDataFrame", "onMetaData"], values.Take(2));
        var metadata = Assert.IsType<AmfObject>(values[2]);
        Assert.True(metadata.IsEcmaArray);
        Assert.Equal(0.0, metadata.GetNumber("duration"));
        Assert.Equal(1280.0, metadata.GetNumber("width"));
        Assert.Equal(720.0, metadata.GetNumber("height"));
        Assert.Equal("obs-output module", metadata.GetString("encoder"));
    }

    [Fact]
    public void Reader_steps_through_values()
    {
        var reader = new Amf0Reader(AmfSamples.FfmpegConnect);
        Assert.False(reader.End);
        Assert.Equal("connect", reader.ReadString());
        Assert.Equal(10, reader.Consumed);
        Assert.False(reader.TryReadString(out _)); // a number comes next: nothing consumed
        Assert.Equal(10, reader.Consumed);
        Assert.True(reader.TryReadNumber(out double transactionId));
        Assert.Equal(1.0, transactionId);
        Assert.IsType<AmfObject>(reader.ReadValue());
        Assert.True(reader.End);
        Assert.Equal(AmfSamples.FfmpegConnect.Length, reader.Consumed);
        Assert.False(reader.TryReadNumber(out _));
        try
        {
            reader.ReadValue();
            Assert.Fail("reading past the end must throw");
        }
        catch (AmfException)
        {
        }
    }

    [Fact]
    public void ReadNumber_on_a_string_throws()
    {
        var reader = new Amf0Reader(AmfSamples.FfmpegConnect);
        try
        {
            reader.ReadNumber();
            Assert.Fail("expected AmfException");
        }
        catch (AmfException ex)
        {
            Assert.Contains("expected an AMF number", ex.Message);
        }
    }

    [Fact]
    public void Typed_helpers_see_through_the_amf3_switch()
    {
        var reader = new Amf0Reader(AmfHex.Bytes("11 06 03 61 11 04 05"));
        Assert.True(reader.TryReadString(out string s));
        Assert.Equal("a", s);
        Assert.True(reader.TryReadNumber(out double n));
        Assert.Equal(5.0, n);
        Assert.True(reader.End);
    }

    [Fact]
    public void Empty_input_reads_no_values() => Assert.Empty(Amf0Reader.ReadAll([]));

    public static TheoryData<object?> RoundTripValues() => new()
    {
        0.0,
        -0.0,
        1.5,
        double.NaN,
        double.PositiveInfinity,
        double.MinValue,
        true,
        false,
        "",
        "connect",
        "ünïcødé ✓ 𝄞",
        new string('x', 65535),
        new string('y', 65536),
        new string('é', 40000), // 80000 UTF-8 bytes: long string despite 40000 chars
        null,
        AmfUndefined.Value,
        new AmfObject(),
        new AmfObject { { "app", "live" }, { "n", 3.0 }, { "flag", false }, { "nothing", null } },
        new AmfObject("com.example.Foo") { { "x", 1.0 } },
        new AmfObject { IsEcmaArray = true }.Add("duration", 12.5).Add("encoder", "obs"),
        new AmfObject { IsEcmaArray = true },
        new object?[] { },
        new object?[] { 1.0, "two", null, AmfUndefined.Value, new object?[] { true } },
        new AmfObject
        {
            { "nested", new AmfObject { { "deeper", new AmfObject { { "list", new object?[] { 1.0, new AmfObject { { "k", "v" } } } } } } } },
        },
        new DateTimeOffset(2024, 2, 29, 12, 34, 56, 789, TimeSpan.Zero),
        new DateTimeOffset(1969, 7, 20, 20, 17, 40, TimeSpan.Zero),
        new AmfXmlDocument("<root attr=\"1\"><child/></root>"),
        ManyProperties(100), // past the size where AmfObject switches to a hash index
    };

    private static AmfObject ManyProperties(int count)
    {
        var obj = new AmfObject { IsEcmaArray = true };
        for (int i = 0; i < count; i++)
            obj.Add($"key{i}", (double)i);
        return obj;
    }

    [Theory]
    [MemberData(nameof(RoundTripValues))]
    public void Round_trip(object? value)
    {
        var buffer = new ArrayBufferWriter<byte>();
        int written = Amf0Writer.WriteValue(buffer, value);
        Assert.Equal(buffer.WrittenCount, written);
        var reader = new Amf0Reader(buffer.WrittenSpan);
        object? decoded = reader.ReadValue();
        Assert.True(reader.End);
        AmfAssert.DeepEqual(value, decoded);
    }

    [Fact]
    public void Round_trip_of_several_values_in_one_message()
    {
        object?[] values = ["publish", 5.0, null, "stream-key", "live"];
        var buffer = new ArrayBufferWriter<byte>();
        int written = Amf0Writer.WriteValues(buffer, values);
        Assert.Equal(buffer.WrittenCount, written);
        AmfAssert.DeepEqual(values, Amf0Reader.ReadAll(buffer.WrittenSpan).ToArray());
    }
}
