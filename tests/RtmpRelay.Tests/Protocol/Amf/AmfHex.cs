using System.Buffers;

namespace RtmpRelay.Tests.Protocol.Amf;

/// <summary>Hex helpers so expected encodings can be written the way the specs show them.</summary>
internal static class AmfHex
{
    /// <summary>Parses hex digits, ignoring whitespace.</summary>
    public static byte[] Bytes(string hex) =>
        Convert.FromHexString(string.Concat(hex.Where(c => !char.IsWhiteSpace(c))));

    /// <summary>Formats bytes as upper-case hex separated by spaces, for readable assertion failures.</summary>
    public static string Format(ReadOnlySpan<byte> bytes)
    {
        string hex = Convert.ToHexString(bytes);
        return string.Join(' ', Enumerable.Range(0, hex.Length / 2).Select(i => hex.Substring(i * 2, 2)));
    }

    /// <summary>Runs an encoder against a fresh buffer and returns what it wrote.</summary>
    public static byte[] Encode(Func<IBufferWriter<byte>, int> write, out int reported)
    {
        var buffer = new ArrayBufferWriter<byte>();
        reported = write(buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Runs an encoder and checks its output (and its reported length) against hex.</summary>
    public static void AssertEncodes(string expectedHex, Func<IBufferWriter<byte>, int> write)
    {
        byte[] actual = Encode(write, out int reported);
        Assert.Equal(Format(Bytes(expectedHex)), Format(actual));
        Assert.Equal(actual.Length, reported);
    }
}
