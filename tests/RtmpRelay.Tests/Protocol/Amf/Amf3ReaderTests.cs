using RtmpRelay.Protocol.Amf;

namespace RtmpRelay.Tests.Protocol.Amf;

/// <summary>AMF3 is reached through the AMF0 avmplus-object marker 0x11, as RTMP carries it.</summary>
public class Amf3ReaderTests
{
    private static object? ReadOne(string amf3Hex)
    {
        var values = Amf0Reader.ReadAll(AmfHex.Bytes("11 " + amf3Hex));
        return Assert.Single(values);
    }

    [Fact]
    public void Simple_markers()
    {
        Assert.Same(AmfUndefined.Value, ReadOne("00"));
        Assert.Null(ReadOne("01"));
        Assert.Equal(false, ReadOne("02"));
        Assert.Equal(true, ReadOne("03"));
        Assert.Equal(1.5, ReadOne("05 3F F8 00 00 00 00 00 00"));
    }

    [Theory]
    [InlineData("04 00", 0)]
    [InlineData("04 7F", 127)]
    [InlineData("04 81 00", 128)]
    [InlineData("04 FF 7F", 16383)]
    [InlineData("04 81 80 00", 16384)]
    [InlineData("04 FF FF 7F", 2097151)]
    [InlineData("04 80 C0 80 00", 2097152)]           // first 4-byte form: last byte carries 8 bits
    [InlineData("04 BF FF FF FF", 268435455)]          // largest positive 29-bit integer
    [InlineData("04 FF FF FF FF", -1)]                 // 0x1FFFFFFF sign-extended
    [InlineData("04 FF FF FF 80", -128)]
    [InlineData("04 C0 80 80 00", -268435456)]         // 0x10000000: smallest 29-bit integer
    public void Integers(string hex, int expected) => Assert.Equal((double)expected, ReadOne(hex));

    [Fact]
    public void String_references_span_the_whole_reader()
    {
        // "abc" inline, then a reference to string 0 in a later 0x11 value, then the empty string,
        // which is never put in the table (so index 1 does not exist).
        var values = Amf0Reader.ReadAll(AmfHex.Bytes("11 06 07 61 62 63  11 06 00  11 06 01"));
        Assert.Equal(["abc", "abc", ""], values);
        Assert.Same(values[0], values[1]);
        Assert.Throws<AmfException>(() => Amf0Reader.ReadAll(AmfHex.Bytes("11 06 07 61 62 63  11 06 01  11 06 02")));
    }

    [Fact]
    public void String_reference_to_a_missing_index_throws()
    {
        var ex = Assert.Throws<AmfException>(() => ReadOne("06 00"));
        Assert.Contains("refers to string 0", ex.Message);
    }

    [Fact]
    public void Object_with_sealed_traits_dynamic_members_and_references()
    {
        // Dense array of three: an object with inline traits, one reusing them by reference, and a
        // reference to the first object.
        var array = Assert.IsType<object?[]>(ReadOne(
            "09 07 01" +                     // array, 3 dense, no associative part
            " 0A 2B 07 46 6F 6F" +           // object, inline dynamic traits, 2 sealed, class "Foo"
            "    03 61 03 62" +              //   sealed names "a", "b"
            "    04 01 06 03 78" +           //   a = 1, b = "x"
            "    03 63 03 01" +              //   dynamic c = true; end
            " 0A 01" +                       // object using traits 0
            "    04 02 06 06" +              //   a = 2, b = string reference 3 ("x")
            "    03 64 05 3F F8 00 00 00 00 00 00 01" + // dynamic d = 1.5; end
            " 0A 02"));                      // reference to object 1 (object 0 is the array)

        var first = Assert.IsType<AmfObject>(array[0]);
        Assert.Equal("Foo", first.ClassName);
        Assert.Equal(["a", "b", "c"], first.Select(p => p.Key));
        Assert.Equal(1.0, first.GetNumber("a"));
        Assert.Equal("x", first.GetString("b"));
        Assert.Equal(true, first.GetBoolean("c"));

        var second = Assert.IsType<AmfObject>(array[1]);
        Assert.Equal("Foo", second.ClassName);
        Assert.Equal(["a", "b", "d"], second.Select(p => p.Key));
        Assert.Equal(2.0, second.GetNumber("a"));
        Assert.Equal("x", second.GetString("b"));
        Assert.Equal(1.5, second.GetNumber("d"));

        Assert.Same(first, array[2]);
    }

    [Fact]
    public void Anonymous_sealed_object_has_no_class_name()
    {
        // Inline traits, not dynamic, 1 sealed member, class "".
        var obj = Assert.IsType<AmfObject>(ReadOne("0A 13 01 03 61 04 07"));
        Assert.Null(obj.ClassName);
        Assert.Equal(7.0, obj["a"]);
    }

    [Fact]
    public void Trait_reference_to_a_missing_index_throws()
    {
        var ex = Assert.Throws<AmfException>(() => ReadOne("0A 05"));
        Assert.Contains("traits 1", ex.Message);
    }

    [Fact]
    public void Externalizable_object_is_refused()
    {
        var ex = Assert.Throws<AmfException>(() => ReadOne("0A 07 07 46 6F 6F"));
        Assert.Contains("AMF3 externalizable class 'Foo' is not supported", ex.Message);
    }

    [Fact]
    public void Dense_array()
    {
        var array = Assert.IsType<object?[]>(ReadOne("09 05 01 04 01 06 03 61"));
        Assert.Equal(new object?[] { 1.0, "a" }, array);
    }

    [Fact]
    public void Array_with_associative_part_is_an_ecma_array()
    {
        // 1 dense element; associative k = 5; then dense "v".
        var obj = Assert.IsType<AmfObject>(ReadOne("09 03 03 6B 04 05 01 06 03 76"));
        Assert.True(obj.IsEcmaArray);
        Assert.Equal(["k", "0"], obj.Select(p => p.Key));
        Assert.Equal(5.0, obj["k"]);
        Assert.Equal("v", obj["0"]);
    }

    [Fact]
    public void Array_can_contain_itself()
    {
        var array = Assert.IsType<object?[]>(ReadOne("09 03 01 09 00"));
        Assert.Same(array, array[0]);
    }

    [Fact]
    public void Date()
    {
        var date = Assert.IsType<DateTimeOffset>(ReadOne("08 01 42 78 CC 25 1F 40 00 00"));
        Assert.Equal(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero), date);
    }

    [Fact]
    public void Date_reference()
    {
        var array = Assert.IsType<object?[]>(ReadOne("09 05 01 08 01 42 78 CC 25 1F 40 00 00 08 02"));
        Assert.Equal(array[0], array[1]);
        Assert.Same(array[0], array[1]);
    }

    [Fact]
    public void Byte_array() => Assert.Equal(new byte[] { 1, 2, 3 }, ReadOne("0C 07 01 02 03"));

    [Fact]
    public void Xml_and_xml_document()
    {
        Assert.Equal(new AmfXmlDocument("<a/>"), ReadOne("0B 09 3C 61 2F 3E"));
        Assert.Equal(new AmfXmlDocument("<a/>"), ReadOne("07 09 3C 61 2F 3E"));
    }

    [Fact]
    public void Vectors()
    {
        Assert.Equal(new object?[] { 1.0, -1.0 }, ReadOne("0D 05 00 00 00 00 01 FF FF FF FF"));
        Assert.Equal(new object?[] { 1.0, 4294967295.0 }, ReadOne("0E 05 01 00 00 00 01 FF FF FF FF"));
        Assert.Equal(new object?[] { 1.5 }, ReadOne("0F 03 00 3F F8 00 00 00 00 00 00"));
        // Vector.<Object> with element type name "" holding "a" and null.
        Assert.Equal(new object?[] { "a", null }, ReadOne("10 05 00 01 06 03 61 01"));
    }

    [Fact]
    public void Dictionary_keys_by_string_form()
    {
        var obj = Assert.IsType<AmfObject>(ReadOne("11 05 00 06 03 6B 04 01 04 02 03"));
        Assert.Equal(["k", "2"], obj.Select(p => p.Key));
        Assert.Equal(1.0, obj["k"]);
        Assert.Equal(true, obj["2"]);
    }

    [Fact]
    public void Object_reference_to_a_missing_index_throws()
    {
        var ex = Assert.Throws<AmfException>(() => ReadOne("0A 00"));
        Assert.Contains("refers to object 0", ex.Message);
    }

    [Fact]
    public void Amf0_stream_switching_into_amf3_for_the_command_object()
    {
        var values = Amf0Reader.ReadAll(AmfSamples.Amf3Connect);
        Assert.Equal(3, values.Count);
        Assert.Equal("connect", values[0]);
        Assert.Equal(1.0, values[1]);
        var command = Assert.IsType<AmfObject>(values[2]);
        Assert.Null(command.ClassName);
        Assert.Equal("live", command.GetString("app"));
        Assert.Equal(3.0, command.GetNumber("objectEncoding"));
    }

    [Fact]
    public void Amf3_switch_lasts_for_one_value_only()
    {
        // 0x11 then AMF3 true (03); the next byte 03 is read as AMF0 again: an empty object.
        var values = Amf0Reader.ReadAll(AmfHex.Bytes("11 03 03 00 00 09"));
        Assert.Equal(true, values[0]);
        Assert.IsType<AmfObject>(values[1]);
    }

    [Fact]
    public void Amf3_value_inside_an_amf0_object()
    {
        var obj = Assert.IsType<AmfObject>(Assert.Single(Amf0Reader.ReadAll(AmfHex.Bytes("03 00 01 61 11 04 7F 00 00 09"))));
        Assert.Equal(127.0, obj["a"]);
    }

    [Fact]
    public void Unknown_amf3_marker_throws()
    {
        var ex = Assert.Throws<AmfException>(() => ReadOne("12"));
        Assert.Contains("unknown AMF3 type marker 0x12", ex.Message);
        Assert.Equal(1, ex.Offset);
    }
}
