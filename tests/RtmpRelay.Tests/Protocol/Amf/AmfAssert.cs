using RtmpRelay.Protocol.Amf;

namespace RtmpRelay.Tests.Protocol.Amf;

/// <summary>Structural comparison of decoded AMF values (the CLR value model has no deep equality).</summary>
internal static class AmfAssert
{
    public static void DeepEqual(object? expected, object? actual, string path = "value")
    {
        switch (expected)
        {
            case null:
                Assert.True(actual is null, $"{path}: expected null, got {actual}");
                break;
            case double d:
                var a = Assert.IsType<double>(actual);
                // Bitwise so NaN and -0 are told apart correctly.
                Assert.True(BitConverter.DoubleToInt64Bits(d) == BitConverter.DoubleToInt64Bits(a) || d == a,
                    $"{path}: expected {d}, got {a}");
                break;
            case AmfObject e:
                var o = Assert.IsType<AmfObject>(actual);
                Assert.Equal(e.ClassName, o.ClassName);
                Assert.Equal(e.IsEcmaArray, o.IsEcmaArray);
                Assert.Equal(e.Select(p => p.Key).ToArray(), o.Select(p => p.Key).ToArray());
                foreach (var (key, value) in e)
                    DeepEqual(value, o[key], $"{path}.{key}");
                break;
            case object?[] e:
                var arr = Assert.IsType<object?[]>(actual);
                Assert.Equal(e.Length, arr.Length);
                for (int i = 0; i < e.Length; i++)
                    DeepEqual(e[i], arr[i], $"{path}[{i}]");
                break;
            case byte[] e:
                Assert.Equal(e, Assert.IsType<byte[]>(actual));
                break;
            default:
                Assert.Equal(expected, actual);
                break;
        }
    }
}
