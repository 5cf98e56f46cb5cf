using RtmpRelay.Protocol.Amf;

namespace RtmpRelay.Tests.Protocol.Amf;

/// <summary>The decoder faces untrusted bytes: only AmfException may escape, and nothing may allocate absurdly.</summary>
public class AmfRobustnessTests
{
    /// <summary>
    /// Decodes, letting only a real decoding error through (null); anything else fails the test with the input. The
    /// reader turns any other exception into an AmfException "could not be decoded (Type: ...)" as defence in depth,
    /// so that wrapper is a bug here too: without this check no input could fail these tests.
    /// </summary>
    private static List<object?>? DecodeOrAmfException(ReadOnlySpan<byte> data, AmfReaderLimits? limits = null)
    {
        try
        {
            return Amf0Reader.ReadAll(data, limits);
        }
        catch (AmfException ex) when (!ex.Message.Contains("could not be decoded (", StringComparison.Ordinal))
        {
            return null;
        }
        catch (Exception ex)
        {
            Assert.Fail($"{ex.GetType().Name} escaped for input {AmfHex.Format(data)}: {ex}");
            return null;
        }
    }

    public static TheoryData<string> Messages() => new()
    {
        nameof(AmfSamples.FfmpegConnect),
        nameof(AmfSamples.Amf3Connect),
    };

    private static byte[] Sample(string name) => name switch
    {
        nameof(AmfSamples.FfmpegConnect) => AmfSamples.FfmpegConnect,
        nameof(AmfSamples.Amf3Connect) => AmfSamples.Amf3Connect,
        _ => AmfSamples.SetDataFrame,
    };

    [Theory]
    [MemberData(nameof(Messages))]
    public void Every_truncation_throws_AmfException_unless_it_falls_between_values(string name)
    {
        byte[] data = Sample(name);
        // Value boundaries: after "connect" and after the transaction id.
        int[] boundaries = [0, 10, 19];
        for (int i = 0; i < data.Length; i++)
        {
            var values = DecodeOrAmfException(data.AsSpan(0, i));
            if (boundaries.Contains(i))
                Assert.Equal(Array.IndexOf(boundaries, i), values?.Count);
            else
                Assert.True(values is null, $"truncation to {i} bytes decoded");
        }
        Assert.Equal(3, DecodeOrAmfException(data)?.Count);
    }

    [Fact]
    public void Truncations_of_metadata_throw_AmfException_unless_they_fall_between_values()
    {
        byte[] data = AmfSamples.SetDataFrame;
        // Value boundaries: after "@setDataFrame" (3 + 13 bytes) and after "onMetaData" (3 + 10 more).
        var decodable = new Dictionary<int, int> { [0] = 0, [16] = 1, [29] = 2 };
        // An ECMA array that ends the message may lack its terminator (encoders drop it): cut after its header, after
        // any whole property (duration, width, height, encoder), or after the empty name of the end marker.
        foreach (int cut in new[] { 34, 53, 69, 86, 115, 117 })
            decodable[cut] = 3;
        Assert.Equal(118, data.Length);
        for (int i = 0; i < data.Length; i++)
        {
            var values = DecodeOrAmfException(data.AsSpan(0, i));
            if (decodable.TryGetValue(i, out int count))
                Assert.True(count == values?.Count, $"truncation to {i} bytes: {values?.Count} values, expected {count}");
            else
                Assert.True(values is null, $"truncation to {i} bytes decoded");
        }
        Assert.Equal(3, DecodeOrAmfException(data)?.Count);
    }


    [Theory]
    [InlineData("03", "00 01 61 03")]          // AMF0 objects
    [InlineData("08 00 00 00 01", "00 01 61 08 00 00 00 01")] // AMF0 ECMA arrays
    [InlineData("0A 00 00 00 01", "0A 00 00 00 01")] // AMF0 strict arrays
    [InlineData("11 09 03 01", "09 03 01")]    // AMF3 dense arrays
    [InlineData("11 0A 0B 01", "03 61 0A 0B 01")] // AMF3 dynamic objects
    public void Nesting_ten_thousand_deep_throws_without_overflowing_the_stack(string head, string repeat)
    {
        byte[] prefix = AmfHex.Bytes(head);
        byte[] step = AmfHex.Bytes(repeat);
        var data = new List<byte>(prefix);
        for (int i = 0; i < 10_000; i++)
            data.AddRange(step);
        var ex = Assert.Throws<AmfException>(() => Amf0Reader.ReadAll(data.ToArray()));
        Assert.Contains("nested deeper than 32", ex.Message);
    }

    [Fact]
    public void MaxDepth_allows_exactly_that_many_levels()
    {
        // Strict arrays nested n deep around a null.
        static byte[] Nested(int n) =>
            [.. Enumerable.Repeat(AmfHex.Bytes("0A 00 00 00 01"), n).SelectMany(b => b), 0x05];
        var limits = new AmfReaderLimits { MaxDepth = 3 };
        Assert.Single(Amf0Reader.ReadAll(Nested(3), limits));
        Assert.Throws<AmfException>(() => Amf0Reader.ReadAll(Nested(4), limits));
        Assert.Single(Amf0Reader.ReadAll(Nested(32)));
        Assert.Throws<AmfException>(() => Amf0Reader.ReadAll(Nested(33)));
    }

    [Fact]
    public void MaxValues_caps_the_values_in_one_reader()
    {
        byte[] nulls = [.. Enumerable.Repeat((byte)0x05, 10)];
        Assert.Equal(10, Amf0Reader.ReadAll(nulls, new AmfReaderLimits { MaxValues = 10 }).Count);
        var ex = Assert.Throws<AmfException>(() => Amf0Reader.ReadAll(nulls, new AmfReaderLimits { MaxValues = 9 }));
        Assert.Contains("more than 9", ex.Message);

        // An AMF3 value behind the 0x11 switch counts once.
        byte[] amf3Nulls = [.. Enumerable.Repeat(AmfHex.Bytes("11 01"), 10).SelectMany(b => b)];
        Assert.Equal(10, Amf0Reader.ReadAll(amf3Nulls, new AmfReaderLimits { MaxValues = 10 }).Count);

        // The default cap of 65536 applies to elements of a big strict array too.
        byte[] array = [.. AmfHex.Bytes("0A 00 01 11 70"), .. Enumerable.Repeat((byte)0x05, 70000)];
        Assert.Throws<AmfException>(() => Amf0Reader.ReadAll(array));

        // And to the elements of AMF3 number vectors: 70000 ints (U29 count header 0x88 0xA2 0x61).
        byte[] vector = [.. AmfHex.Bytes("11 0D 88 A2 61 00"), .. new byte[70000 * 4]];
        Assert.Throws<AmfException>(() => Amf0Reader.ReadAll(vector));
    }

    [Theory]
    [InlineData("0A FF FF FF FF 05")]              // AMF0 strict array of 4 billion
    [InlineData("0C FF FF FF FF 61")]              // AMF0 long string of 4 GB
    [InlineData("0F 7F FF FF FF 61")]              // AMF0 XML document of 2 GB
    [InlineData("02 FF FF 61")]                    // AMF0 string of 64 KB with 1 byte present
    [InlineData("10 FF FF 61")]                    // AMF0 typed object class name
    [InlineData("03 FF FF 61")]                    // AMF0 property name
    [InlineData("11 06 FF FF FF FF 61")]           // AMF3 string of 256 MB
    [InlineData("11 09 FF FF FF FF 01 01")]        // AMF3 dense array of 268 million
    [InlineData("11 09 FF FF FF FF 03 61 01")]     // AMF3 mixed array of 268 million
    [InlineData("11 0C FF FF FF FF 00")]           // AMF3 byte array
    [InlineData("11 0D FF FF FF FF 00 00 00 00 00")] // AMF3 vector of int
    [InlineData("11 0F FF FF FF FF 00 00")]        // AMF3 vector of double
    [InlineData("11 10 FF FF FF FF 00 01 01")]     // AMF3 vector of object
    [InlineData("11 11 FF FF FF FF 00 01 01")]     // AMF3 dictionary
    [InlineData("11 0A FF FF FF FB 01 03 61")]     // AMF3 object with 16 million sealed members
    [InlineData("11 07 FF FF FF FF 61")]           // AMF3 XML document
    public void Absurd_counts_and_lengths_throw_without_allocating(string hex)
    {
        byte[] data = AmfHex.Bytes(hex);
        DecodeOrAmfException(data); // warm up (JIT, statics)
        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Throws<AmfException>(() => Amf0Reader.ReadAll(data));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 64 * 1024, $"allocated {allocated} bytes");
    }

    [Fact]
    public void Ecma_array_count_is_never_used_to_preallocate()
    {
        byte[] data = AmfHex.Bytes("08 FF FF FF FF 00 00 09");
        DecodeOrAmfException(data);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var obj = Assert.IsType<AmfObject>(Assert.Single(Amf0Reader.ReadAll(data)));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, obj.Count);
        Assert.True(allocated < 64 * 1024, $"allocated {allocated} bytes");
    }

    [Fact]
    public void Large_ecma_array_decodes_in_linear_time()
    {
        // 60,000 distinct keys: quadratic key lookup would take minutes.
        var data = new List<byte>(AmfHex.Bytes("08 00 00 EA 60"));
        for (int i = 0; i < 60_000; i++)
        {
            byte[] key = System.Text.Encoding.ASCII.GetBytes($"k{i}");
            data.Add(0);
            data.Add((byte)key.Length);
            data.AddRange(key);
            data.Add(0x05);
        }
        data.AddRange(AmfHex.Bytes("00 00 09"));
        var obj = Assert.IsType<AmfObject>(Assert.Single(Amf0Reader.ReadAll(data.ToArray())));
        Assert.Equal(60_000, obj.Count);
        Assert.True(obj.ContainsKey("k59999"));
    }

    [Fact]
    public void Random_garbage_throws_only_AmfException()
    {
        var random = new Random(20240601);
        int decoded = 0, rejected = 0;
        for (int n = 0; n < 5000; n++)
        {
            var data = new byte[random.Next(0, 48)];
            random.NextBytes(data);
            // Bias the first byte toward real markers so decoding gets past the first step.
            if (data.Length > 0 && random.Next(2) == 0)
                data[0] = (byte)random.Next(0, 0x12);
            if (DecodeOrAmfException(data) is { } values)
            {
                decoded++;
                Assert.True(data.Length == 0 || values.Count > 0, $"{AmfHex.Format(data)} decoded to no value");
            }
            else
            {
                rejected++;
            }
        }
        // Both outcomes occur, so the loop exercised the decoder rather than one early exit.
        Assert.True(decoded > 100 && rejected > 100, $"{decoded} decoded, {rejected} rejected");
    }

    [Fact]
    public void Mutated_real_messages_throw_only_AmfException()
    {
        var random = new Random(7);
        int decoded = 0, rejected = 0;
        byte[][] seeds =
        [
            AmfSamples.FfmpegConnect,
            AmfSamples.SetDataFrame,
            AmfSamples.Amf3Connect,
            AmfHex.Bytes("11 09 07 01 0A 2B 07 46 6F 6F 03 61 03 62 04 01 06 03 78 03 63 03 01 0A 01 04 02 06 06 03 64 05 3F F8 00 00 00 00 00 00 01 0A 02"),
            AmfHex.Bytes("0A 00 00 00 02 03 00 01 61 05 00 00 09 07 00 01 0B 42 78 CC 25 1F 40 00 00 00 00"),
            AmfHex.Bytes("11 11 05 00 06 03 6B 04 01 04 02 03 11 0D 05 00 00 00 00 01 FF FF FF FF 11 0C 07 01 02 03"),
        ];
        for (int n = 0; n < 5000; n++)
        {
            byte[] data = (byte[])seeds[n % seeds.Length].Clone();
            int mutations = random.Next(1, 4);
            for (int m = 0; m < mutations; m++)
            {
                int at = random.Next(data.Length);
                data[at] = random.Next(3) switch
                {
                    0 => (byte)random.Next(256),
                    1 => (byte)(data[at] ^ (1 << random.Next(8))),
                    _ => (byte)random.Next(0, 0x12),
                };
            }
            int length = random.Next(4) == 0 ? random.Next(data.Length + 1) : data.Length;
            if (DecodeOrAmfException(data.AsSpan(0, length)) is null)
                rejected++;
            else
                decoded++;
        }
        Assert.True(decoded > 100 && rejected > 100, $"{decoded} decoded, {rejected} rejected");
    }
}
