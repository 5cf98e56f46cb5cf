using System.Buffers;
using System.Buffers.Binary;
using RtmpRelay.Protocol;
using RtmpRelay.Protocol.Handshake;

namespace RtmpRelay.Tests.Protocol.Handshake;

public class ServerHandshakeTests
{
    private const int PacketSize = HandshakeDigest.PacketSize;

    private static byte[] C0C1(byte c0, ReadOnlySpan<byte> c1) => [c0, .. c1];

    private static byte[] Tv2C1()
    {
        byte[] c1 = HandshakeDigestTests.Tv2C1WithoutDigest();
        HandshakeDigest.WriteDigest(c1, 0, HandshakeDigest.Fp30);
        return c1;
    }

    private static byte[] SimpleC1()
    {
        byte[] c1 = new byte[PacketSize];
        new Random(7).NextBytes(c1);
        BinaryPrimitives.WriteUInt32BigEndian(c1, 0x11223344);
        c1.AsSpan(4, 4).Clear();
        return c1;
    }

    private static byte[] SignatureKey(ReadOnlySpan<byte> peerDigest, ReadOnlySpan<byte> fullKey)
    {
        byte[] key = new byte[32];
        HandshakeDigest.ComputeSignatureKey(peerDigest, fullKey, key);
        return key;
    }

    [Fact]
    public void TryAdvance_FfmpegDigestC1_AnswersScheme0DigestS1AndSignedS2()
    {
        byte[] c1 = Tv2C1();
        var server = new ServerHandshake(TestOptions.Deterministic());
        var output = new ArrayBufferWriter<byte>();
        var input = new ReadOnlySequence<byte>(C0C1(3, c1));

        Assert.False(server.TryAdvance(ref input, output));

        Assert.True(input.IsEmpty);
        Assert.Equal(HandshakeKind.Digest, server.Kind);
        Assert.Equal(0, server.ClientDigestScheme);
        Assert.Equal((byte)3, server.ClientVersion);
        Assert.Equal(0x09007C02u, server.ClientC1Version);

        ReadOnlySpan<byte> response = output.WrittenSpan;
        Assert.Equal(1 + 2 * PacketSize, response.Length);
        Assert.Equal(3, response[0]);
        ReadOnlySpan<byte> s1 = response.Slice(1, PacketSize);
        ReadOnlySpan<byte> s2 = response.Slice(1 + PacketSize, PacketSize);
        Assert.Equal(TestOptions.Epoch, BinaryPrimitives.ReadUInt32BigEndian(s1));
        Assert.Equal(0x03050101u, BinaryPrimitives.ReadUInt32BigEndian(s1[4..]));
        Assert.True(HandshakeDigest.VerifyDigest(s1, 0, HandshakeDigest.Fms36));
        Assert.True(s2[..1504].SequenceEqual(c1.AsSpan(0, 1504)));
        Assert.True(HandshakeDigest.VerifySignature(s2, SignatureKey(c1.AsSpan(494, 32), HandshakeDigest.Fms68)));
    }

    [Fact]
    public void TryAdvance_FlashPlayer20C1_DetectsScheme1AndSignsS2AsPublished()
    {
        // handshake.md section 4: with S2[0..1504) = C1[0..1504) the type-6 S2 signature is a907...db1b.
        var server = new ServerHandshake(TestOptions.Deterministic());
        var output = new ArrayBufferWriter<byte>();
        var input = new ReadOnlySequence<byte>(C0C1(3, CapturedPackets.FlashPlayer20C1));

        server.TryAdvance(ref input, output);

        Assert.Equal(HandshakeKind.Digest, server.Kind);
        Assert.Equal(1, server.ClientDigestScheme);
        Assert.Equal(0x80000702u, server.ClientC1Version);
        Assert.Equal("a907037020dbb84f84d00e4ca4488327ce0c3aa7b9f09cd48ed1d95e8336db1b",
            Convert.ToHexStringLower(output.WrittenSpan.Slice(1 + PacketSize + 1504, 32)));
    }

    [Fact]
    public void TryAdvance_C0C1Complete_WritesS0S1S2InOneAdvance()
    {
        var server = new ServerHandshake(TestOptions.Deterministic());
        var output = new AdvanceCountingWriter();
        var input = new ReadOnlySequence<byte>(C0C1(3, Tv2C1()));

        server.TryAdvance(ref input, output);

        Assert.Equal([3073], output.Advances);
    }

    [Fact]
    public void TryAdvance_SimpleClientVersion0_AnswersSimpleWithS2EchoOfC1()
    {
        byte[] c1 = SimpleC1();
        var server = new ServerHandshake(TestOptions.Deterministic());
        var output = new ArrayBufferWriter<byte>();
        var input = new ReadOnlySequence<byte>(C0C1(3, c1));

        Assert.False(server.TryAdvance(ref input, output));

        Assert.Equal(HandshakeKind.Simple, server.Kind);
        Assert.Equal(-1, server.ClientDigestScheme);
        ReadOnlySpan<byte> s1 = output.WrittenSpan.Slice(1, PacketSize);
        Assert.Equal(0u, BinaryPrimitives.ReadUInt32BigEndian(s1[4..]));
        Assert.True(output.WrittenSpan.Slice(1 + PacketSize).SequenceEqual(c1));

        // The client echoes S1 as C2: accepted, and there is no signature to judge.
        var c2 = new ReadOnlySequence<byte>(s1.ToArray());
        Assert.True(server.TryAdvance(ref c2, output));
        Assert.Null(server.ClientSignatureValid);
    }

    [Fact]
    public void TryAdvance_VersionWithoutValidDigest_FallsBackToSimple()
    {
        byte[] c1 = Tv2C1();
        c1[494] ^= 0xFF; // break the digest, keep version 9.0.124.2
        var server = new ServerHandshake(TestOptions.Deterministic());
        var output = new ArrayBufferWriter<byte>();
        var input = new ReadOnlySequence<byte>(C0C1(3, c1));

        server.TryAdvance(ref input, output);

        Assert.Equal(HandshakeKind.Simple, server.Kind);
        Assert.Equal(-1, server.ClientDigestScheme);
        Assert.True(output.WrittenSpan.Slice(1 + PacketSize).SequenceEqual(c1));
    }

    [Theory]
    [InlineData(0x16, "TLS ClientHello on a plain RTMP endpoint")]
    [InlineData(0x47, "not RTMP: first byte 0x47 ('G')")]
    [InlineData(0x50, "not RTMP: first byte 0x50 ('P')")]
    [InlineData(0xFF, "not RTMP: first byte 0xFF")]
    [InlineData(0x06, "RTMPE handshake (C0=0x06) is not enabled on this endpoint")]
    [InlineData(0x08, "RTMPE handshake (C0=0x08) is not enabled on this endpoint")]
    [InlineData(0x09, "RTMPE handshake (C0=0x09) is not enabled on this endpoint")]
    public void TryAdvance_ForeignOrEncryptedFirstByte_ThrowsOnFirstByte(byte c0, string reason)
    {
        var server = new ServerHandshake(TestOptions.Deterministic());
        var output = new ArrayBufferWriter<byte>();
        var input = new ReadOnlySequence<byte>(new[] { c0 });

        var error = Assert.Throws<RtmpProtocolException>(() => server.TryAdvance(ref input, output));

        Assert.Contains(reason, error.Message);
        Assert.Equal(0, output.WrittenCount);
    }

    [Fact]
    public void TryAdvance_HttpRequest_ThrowsNotRtmp()
    {
        var server = new ServerHandshake(TestOptions.Deterministic());
        var input = new ReadOnlySequence<byte>("GET / HTTP/1.1\r\nHost: relay\r\n\r\n"u8.ToArray());

        var error = Assert.Throws<RtmpProtocolException>(() => server.TryAdvance(ref input, new ArrayBufferWriter<byte>()));

        Assert.Equal("not RTMP: first byte 0x47 ('G')", error.Message);
    }

    [Fact]
    public void TryAdvance_UnknownLowVersion_AnswersVersion3()
    {
        var server = new ServerHandshake(TestOptions.Deterministic());
        var output = new ArrayBufferWriter<byte>();
        var input = new ReadOnlySequence<byte>(C0C1(0x0A, Tv2C1()));

        server.TryAdvance(ref input, output);

        Assert.Equal((byte)0x0A, server.ClientVersion);
        Assert.Equal(3, output.WrittenSpan[0]);
        Assert.Equal(HandshakeKind.Digest, server.Kind);
    }

    [Fact]
    public void TryAdvance_TruncatedC0C1_ReturnsFalseAndConsumesNothing()
    {
        var server = new ServerHandshake(TestOptions.Deterministic());
        var output = new ArrayBufferWriter<byte>();
        var input = new ReadOnlySequence<byte>(C0C1(3, Tv2C1()).AsMemory(0, 1000));

        Assert.False(server.TryAdvance(ref input, output));

        Assert.Equal(1000, input.Length);
        Assert.Equal(0, output.WrittenCount);
        Assert.Equal((byte)3, server.ClientVersion);
    }

    [Fact]
    public void TryAdvance_EmptyInput_ReturnsFalse()
    {
        var server = new ServerHandshake(TestOptions.Deterministic());
        var input = ReadOnlySequence<byte>.Empty;

        Assert.False(server.TryAdvance(ref input, new ArrayBufferWriter<byte>()));
    }

    [Fact]
    public void TryAdvance_TruncatedC2_ConsumesC0C1OnlyAndWaits()
    {
        var server = new ServerHandshake(TestOptions.Deterministic());
        var output = new ArrayBufferWriter<byte>();
        byte[] data = [.. C0C1(3, Tv2C1()), .. new byte[PacketSize - 1]];
        var input = new ReadOnlySequence<byte>(data);

        Assert.False(server.TryAdvance(ref input, output));

        Assert.Equal(PacketSize - 1, input.Length);
        Assert.Equal(3073, output.WrittenCount);
        Assert.False(server.IsCompleted);
    }

    [Fact]
    public void TryAdvance_CorruptedC2_AcceptedWithSignatureInvalid()
    {
        var server = new ServerHandshake(TestOptions.Deterministic());
        var output = new ArrayBufferWriter<byte>();
        var input = new ReadOnlySequence<byte>(C0C1(3, Tv2C1()));
        server.TryAdvance(ref input, output);
        byte[] s1Digest = output.WrittenSpan.Slice(1 + HandshakeDigest.GetDigestOffset(output.WrittenSpan[1..], 0), 32).ToArray();

        byte[] c2 = new byte[PacketSize];
        new Random(3).NextBytes(c2);
        HandshakeDigest.WriteSignature(c2, SignatureKey(s1Digest, HandshakeDigest.Fp62));
        c2[1510] ^= 0x01;
        var c2Input = new ReadOnlySequence<byte>(c2);

        Assert.True(server.TryAdvance(ref c2Input, output));
        Assert.False(server.ClientSignatureValid);
        Assert.True(c2Input.IsEmpty);
    }

    [Fact]
    public void TryAdvance_FfmpegPublisherEchoesS1AsC2_AcceptedWithSignatureInvalid()
    {
        var server = new ServerHandshake(TestOptions.Deterministic());
        var output = new ArrayBufferWriter<byte>();
        var input = new ReadOnlySequence<byte>(C0C1(3, Tv2C1()));
        server.TryAdvance(ref input, output);
        var c2 = new ReadOnlySequence<byte>(output.WrittenSpan.Slice(1, PacketSize).ToArray());

        Assert.True(server.TryAdvance(ref c2, output));

        Assert.Equal(HandshakeKind.Digest, server.Kind);
        Assert.False(server.ClientSignatureValid);
    }

    [Fact]
    public void TryAdvance_AfterCompletion_ReturnsTrueWithoutConsuming()
    {
        var server = new ServerHandshake(TestOptions.Deterministic());
        var output = new ArrayBufferWriter<byte>();
        byte[] data = [.. C0C1(3, SimpleC1()), .. new byte[PacketSize]];
        var input = new ReadOnlySequence<byte>(data);
        Assert.True(server.TryAdvance(ref input, output));
        int written = output.WrittenCount;

        var more = new ReadOnlySequence<byte>(new byte[] { 1, 2, 3 });
        Assert.True(server.TryAdvance(ref more, output));

        Assert.Equal(3, more.Length);
        Assert.Equal(written, output.WrittenCount);
    }
}
