using System.Buffers;
using System.Buffers.Binary;
using RtmpRelay.Protocol;
using RtmpRelay.Protocol.Handshake;

namespace RtmpRelay.Tests.Protocol.Handshake;

public class ClientHandshakeTests
{
    private const int PacketSize = HandshakeDigest.PacketSize;

    private static byte[] Tv5S1WithDigest()
    {
        byte[] s1 = HandshakeDigestTests.Tv5S1();
        HandshakeDigest.WriteDigest(s1, 0, HandshakeDigest.Fms36);
        return s1;
    }

    private static (ClientHandshake Client, byte[] C0C1) Started(HandshakeOptions options)
    {
        var client = new ClientHandshake(options);
        var output = new ArrayBufferWriter<byte>();
        client.WriteC0C1(output);
        return (client, output.WrittenSpan.ToArray());
    }

    [Fact]
    public void WriteC0C1_FfmpegRandomAndEpoch0_ReproducesTv2C1()
    {
        var options = new HandshakeOptions { Epoch = () => 0, Random = new ScriptedRandom(AvLfg.FfmpegC1RandomBytes()).Fill };

        (_, byte[] c0c1) = Started(options);

        Assert.Equal(1 + PacketSize, c0c1.Length);
        Assert.Equal(3, c0c1[0]);
        Assert.Equal("650bfb9b65f953d848e3456965d0d76b627a84e35e9ddabd8b43f0fadaee458c",
            Convert.ToHexStringLower(c0c1.AsSpan(1 + 494, 32)));
        Assert.Equal("50c8f966513a733e2726dacd9ebb4544e0ff96b9f54d49f50ac7908fa804a7c9",
            HandshakeDigestTests.Sha256Hex(c0c1.AsSpan(1)));
    }

    [Fact]
    public void TryAdvance_Tv5S1_WritesC2WithVectorSignature()
    {
        byte[] c2Random = HandshakeDigestTests.Tv5C2()[..1504];
        var options = TestOptions.Deterministic(new byte[1528], c2Random);
        (ClientHandshake client, _) = Started(options);
        var output = new ArrayBufferWriter<byte>();
        byte[] s2 = new byte[PacketSize]; // not signed: only reported
        byte[] data = [3, .. Tv5S1WithDigest(), .. s2];
        var input = new ReadOnlySequence<byte>(data);

        Assert.True(client.TryAdvance(ref input, output));

        Assert.Equal(HandshakeKind.Digest, client.ServerKind);
        Assert.Equal(0, client.ServerDigestScheme);
        Assert.Equal(PacketSize, output.WrittenCount);
        Assert.True(output.WrittenSpan[..1504].SequenceEqual(c2Random));
        Assert.Equal("035a7d58344bfed5b447b5df9f9928235b7736f8bab1ed7e9ea5e3250aeac537",
            Convert.ToHexStringLower(output.WrittenSpan.Slice(1504, 32)));
        Assert.False(client.S2SignatureValid);
    }

    [Fact]
    public void TryAdvance_S1DigestInScheme1_DetectsScheme1()
    {
        (ClientHandshake client, _) = Started(TestOptions.Deterministic());
        byte[] s1 = HandshakeDigestTests.Tv5S1();
        HandshakeDigest.WriteDigest(s1, 1, HandshakeDigest.Fms36);
        byte[] data = [3, .. s1, .. new byte[PacketSize]];
        var input = new ReadOnlySequence<byte>(data);

        Assert.True(client.TryAdvance(ref input, new ArrayBufferWriter<byte>()));

        Assert.Equal(HandshakeKind.Digest, client.ServerKind);
        Assert.Equal(1, client.ServerDigestScheme);
    }

    [Fact]
    public void TryAdvance_SimpleServer_EchoesS1AsC2()
    {
        (ClientHandshake client, byte[] c0c1) = Started(TestOptions.Deterministic());
        byte[] s1 = new byte[PacketSize];
        new Random(5).NextBytes(s1);
        s1.AsSpan(4, 4).Clear();
        byte[] data = [3, .. s1, .. c0c1.AsSpan(1), 0xC3];
        var output = new ArrayBufferWriter<byte>();
        var input = new ReadOnlySequence<byte>(data);

        Assert.True(client.TryAdvance(ref input, output));

        Assert.Equal(HandshakeKind.Simple, client.ServerKind);
        Assert.Equal(-1, client.ServerDigestScheme);
        Assert.True(output.WrittenSpan.SequenceEqual(s1));
        Assert.Null(client.S2SignatureValid);
        Assert.Equal(new byte[] { 0xC3 }, input.ToArray());
    }

    [Fact]
    public void TryAdvance_ServerS0S1ByteByByte_WritesC2AsSoonAsS1IsComplete()
    {
        (ClientHandshake client, byte[] c0c1) = Started(TestOptions.Deterministic());
        var server = new ServerHandshake(TestOptions.Deterministic());
        var serverOutput = new ArrayBufferWriter<byte>();
        var c0c1Input = new ReadOnlySequence<byte>(c0c1);
        server.TryAdvance(ref c0c1Input, serverOutput);
        byte[] s0s1s2 = serverOutput.WrittenSpan.ToArray();

        var output = new ArrayBufferWriter<byte>();
        var pending = new List<byte>();
        for (int i = 0; i < s0s1s2.Length; i++)
        {
            pending.Add(s0s1s2[i]);
            var input = new ReadOnlySequence<byte>(pending.ToArray());
            bool done = client.TryAdvance(ref input, output);
            pending = [.. input.ToArray()];

            Assert.Equal(i == s0s1s2.Length - 1, done);
            Assert.Equal(i >= 1 + PacketSize - 1 ? PacketSize : 0, output.WrittenCount);
        }

        Assert.Empty(pending);
        Assert.Equal(HandshakeKind.Digest, client.ServerKind);
        Assert.True(client.S2SignatureValid);
    }

    [Fact]
    public void TryAdvance_BeforeWriteC0C1_Throws()
    {
        var client = new ClientHandshake();
        var input = new ReadOnlySequence<byte>(new byte[] { 3 });

        Assert.Throws<InvalidOperationException>(() => client.TryAdvance(ref input, new ArrayBufferWriter<byte>()));
    }

    [Fact]
    public void WriteC0C1_Twice_Throws()
    {
        (ClientHandshake client, _) = Started(TestOptions.Deterministic());

        Assert.Throws<InvalidOperationException>(() => client.WriteC0C1(new ArrayBufferWriter<byte>()));
    }

    [Fact]
    public void WriteC0C1_DefaultOptions_WritesVersion9012420WithScheme0Digest()
    {
        (_, byte[] c0c1) = Started(new HandshakeOptions());

        Assert.Equal(0x09007C02u, BinaryPrimitives.ReadUInt32BigEndian(c0c1.AsSpan(5)));
        Assert.True(HandshakeDigest.VerifyDigest(c0c1.AsSpan(1), 0, HandshakeDigest.Fp30));
    }

    [Theory]
    [InlineData(0x06, "RTMPE")]
    [InlineData(0x48, "not RTMP: S0 0x48 ('H')")]
    public void TryAdvance_UnexpectedS0_Throws(byte s0, string reason)
    {
        (ClientHandshake client, _) = Started(TestOptions.Deterministic());
        var input = new ReadOnlySequence<byte>(new[] { s0 });

        var error = Assert.Throws<RtmpProtocolException>(() => client.TryAdvance(ref input, new ArrayBufferWriter<byte>()));

        Assert.Contains(reason, error.Message);
    }
}
