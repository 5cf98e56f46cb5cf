using RtmpRelay.Protocol.Amf;

namespace RtmpRelay.Tests.Protocol.Amf;

public class AmfObjectTests
{
    [Fact]
    public void Keeps_insertion_order_and_replaces_in_place()
    {
        var obj = new AmfObject { { "b", 1.0 }, { "a", 2.0 } };
        obj["c"] = 3.0;
        obj["b"] = "replaced";
        Assert.Equal(["b", "a", "c"], obj.Select(p => p.Key));
        Assert.Equal("replaced", obj["b"]);
        Assert.Equal(3, obj.Count);
    }

    [Fact]
    public void Add_is_fluent_and_refuses_duplicates()
    {
        var obj = new AmfObject().Add("x", 1.0).Add("y", null);
        Assert.Equal(2, obj.Count);
        Assert.Throws<ArgumentException>(() => obj.Add("x", 2.0));
    }

    [Fact]
    public void Missing_keys_read_as_null()
    {
        var obj = new AmfObject { { "present", null } };
        Assert.Null(obj["missing"]);
        Assert.False(obj.TryGetValue("missing", out _));
        Assert.True(obj.TryGetValue("present", out object? value));
        Assert.Null(value);
    }

    [Fact]
    public void Typed_getters()
    {
        var obj = new AmfObject { { "s", "text" }, { "d", 2.5 }, { "i", 7 }, { "b", true }, { "o", new AmfObject() } };
        Assert.Equal("text", obj.GetString("s"));
        Assert.Null(obj.GetString("d"));
        Assert.Equal(2.5, obj.GetNumber("d"));
        Assert.Equal(7.0, obj.GetNumber("i"));
        Assert.Null(obj.GetNumber("s"));
        Assert.Null(obj.GetNumber("missing"));
        Assert.Equal(true, obj.GetBoolean("b"));
        Assert.NotNull(obj.GetObject("o"));
    }

    [Fact]
    public void Lookups_stay_correct_past_the_hash_index_threshold()
    {
        var obj = new AmfObject();
        for (int i = 0; i < 50; i++)
            obj[$"k{i}"] = (double)i;
        obj["k3"] = "three";
        obj["k42"] = "forty-two";
        Assert.Equal(50, obj.Count);
        Assert.Equal("three", obj["k3"]);
        Assert.Equal("forty-two", obj["k42"]);
        Assert.Equal(49.0, obj["k49"]);
        Assert.Throws<ArgumentException>(() => obj.Add("k10", 0.0));
        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"k{i}"), obj.Select(p => p.Key));
    }

    [Fact]
    public void Keys_compare_ordinally()
    {
        var obj = new AmfObject { { "App", 1.0 } };
        Assert.Null(obj["app"]);
    }

    [Fact]
    public void Limits_default_to_documented_values()
    {
        Assert.Equal(32, AmfReaderLimits.Default.MaxDepth);
        Assert.Equal(65536, AmfReaderLimits.Default.MaxValues);
    }

    [Fact]
    public void AmfException_is_a_protocol_exception() =>
        Assert.IsAssignableFrom<RtmpRelay.Protocol.RtmpProtocolException>(new AmfException("x", 3));
}
