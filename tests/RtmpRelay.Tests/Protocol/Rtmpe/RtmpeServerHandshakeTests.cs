using System.Buffers;
using System.Buffers.Binary;
using RtmpRelay.Protocol;
using RtmpRelay.Protocol.Handshake;
using RtmpRelay.Tests.Protocol.Handshake;

namespace RtmpRelay.Tests.Protocol.Rtmpe;

public class RtmpeServerHandshakeTests
{
    private const int PacketSize = HandshakeDigest.PacketSize;

    /// <summary>An RTMPE C1 as ffmpeg/rtmpdump build it: version 128.0.3.2, TV6 client key A and digest in scheme 1.</summary>
    internal static byte[] ClientC1(int seed = 21)
    {
        byte[] c1 = new byte[PacketSize];
        new Random(seed).NextBytes(c1);
        BinaryPrimitives.WriteUInt32BigEndian(c1.AsSpan(4), 0x80000302);
        Convert.FromHexString(RtmpeVectors.A).CopyTo(c1.AsSpan(HandshakeDigest.GetDhKeyOffset(c1, 1)));
        HandshakeDigest.WriteDigest(c1, 1, HandshakeDigest.Fp30);
        return c1;
    }

    private static (ServerHandshake Server, byte[] Output, AdvanceCountingWriter Writer) Respond(HandshakeOptions options, byte c0, byte[] c1)
    {
        var server = new ServerHandshake(options);
        var writer = new AdvanceCountingWriter();
        var input = new ReadOnlySequence<byte>([c0, .. c1]);
        Assert.False(server.TryAdvance(ref input, writer));
        Assert.True(input.IsEmpty);
        return (server, writer.WrittenSpan.ToArray(), writer);
    }

    private static byte[] SignatureKey(ReadOnlySpan<byte> digest, ReadOnlySpan<byte> fullKey)
    {
        byte[] key = new byte[32];
        HandshakeDigest.ComputeSignatureKey(digest, fullKey, key);
        return key;
    }

    [Theory]
    [InlineData(0x06, RtmpeServerResponse.MirrorClient, 0x06)]
    [InlineData(0x08, RtmpeServerResponse.MirrorClient, 0x08)]
    [InlineData(0x09, RtmpeServerResponse.MirrorClient, 0x09)]
    [InlineData(0x06, RtmpeServerResponse.Xtea, 0x08)]
    [InlineData(0x06, RtmpeServerResponse.Blowfish, 0x09)]
    [InlineData(0x09, RtmpeServerResponse.None, 0x06)]
    public void TryAdvance_RtmpeC1_AnswersChosenS0WithScheme0KeyAndSignedS2(byte c0, RtmpeServerResponse response, byte expectedS0)
    {
        var crypto = TestRtmpeCrypto.Scripted(RtmpeVectors.PrivateB());
        byte[] c1 = ClientC1();

        var (server, output, writer) = Respond(TestRtmpeCrypto.Options(crypto, response), c0, c1);

        Assert.Equal([1 + 2 * PacketSize], writer.Advances);
        Assert.Equal(expectedS0, output[0]);
        Assert.Equal(expectedS0, server.ResponseVersion);
        Assert.Equal((RtmpeSignatureCipher)expectedS0, server.SignatureCipher);
        Assert.True(server.IsEncrypted);
        Assert.NotNull(server.Decryptor);
        Assert.NotNull(server.Encryptor);
        Assert.Equal(HandshakeKind.Digest, server.Kind);
        Assert.Equal(1, server.ClientDigestScheme);
        Assert.Equal(c0, server.ClientVersion);
        Assert.Equal(0x80000302u, server.ClientC1Version);

        ReadOnlySpan<byte> s1 = output.AsSpan(1, PacketSize);
        ReadOnlySpan<byte> s2 = output.AsSpan(1 + PacketSize, PacketSize);
        Assert.Equal(0x03050101u, BinaryPrimitives.ReadUInt32BigEndian(s1[4..]));
        Assert.True(HandshakeDigest.VerifyDigest(s1, 0, HandshakeDigest.Fms36));
        Assert.Equal(RtmpeVectors.B, Convert.ToHexStringLower(s1.Slice(HandshakeDigest.GetDhKeyOffset(s1, 0), 128)));

        int c1Digest = HandshakeDigest.GetDigestOffset(c1, 1);
        Assert.True(s2[..1504].SequenceEqual(c1.AsSpan(0, 1504)));
        Assert.True(RtmpeKeys.VerifySignature(crypto, (RtmpeSignatureCipher)expectedS0, s2, SignatureKey(c1.AsSpan(c1Digest, 32), HandshakeDigest.Fms68)));
    }

    [Theory]
    [InlineData(RtmpeServerResponse.None, "a907037020dbb84f84d00e4ca4488327ce0c3aa7b9f09cd48ed1d95e8336db1b")]
    [InlineData(RtmpeServerResponse.Xtea, "d83a6b0f5f9aac8e1f27810d05eccc4a1e77cad4ef88f83486cb7fedbb5323d6")]
    [InlineData(RtmpeServerResponse.Blowfish, "45c1872f01f4f0ed41e26f780ee7f56507bd4343acb14083904c0d41c824992c")]
    public void TryAdvance_FlashPlayer20C1AsRtmpe_SignsS2AsPublished(RtmpeServerResponse response, string expected)
    {
        // The Red5 capture's scheme-1 DH bytes happen to be a valid group element, so it passes as an RTMPE C1.
        var (_, output, _) = Respond(TestRtmpeCrypto.Options(TestRtmpeCrypto.Deterministic(3), response), 0x06, CapturedPackets.FlashPlayer20C1);

        Assert.Equal(expected, Convert.ToHexStringLower(output.AsSpan(1 + PacketSize + 1504, 32)));
    }

    [Fact]
    public void TryAdvance_RtmpeTruncatedC1_ReturnsFalseConsumesAndWritesNothing()
    {
        var server = new ServerHandshake(TestRtmpeCrypto.Options(TestRtmpeCrypto.Deterministic(1)));
        var output = new ArrayBufferWriter<byte>();
        byte[] data = [0x06, .. ClientC1()];
        var input = new ReadOnlySequence<byte>(data.AsMemory(0, 1536));

        Assert.False(server.TryAdvance(ref input, output));

        Assert.Equal(1536, input.Length);
        Assert.Equal(0, output.WrittenCount);
        Assert.Equal((byte)0x06, server.ClientVersion);
        Assert.False(server.IsEncrypted);
        Assert.Null(server.Decryptor);
    }

    [Fact]
    public void TryAdvance_RtmpeC1WithoutValidDigest_ThrowsBeforeWriting()
    {
        byte[] c1 = ClientC1();
        c1[HandshakeDigest.GetDigestOffset(c1, 1)] ^= 0xFF;
        var server = new ServerHandshake(TestRtmpeCrypto.Options(TestRtmpeCrypto.Deterministic(1)));
        var output = new ArrayBufferWriter<byte>();
        var input = new ReadOnlySequence<byte>([0x06, .. c1]);

        var error = Assert.Throws<RtmpProtocolException>(() => server.TryAdvance(ref input, output));

        Assert.Contains("no valid digest", error.Message);
        Assert.Equal(0, output.WrittenCount);
    }

    [Fact]
    public void TryAdvance_RtmpeClientKeyOne_ThrowsBeforeWriting()
    {
        byte[] c1 = ClientC1();
        RtmpeVectors.Key128(1).CopyTo(c1.AsSpan(HandshakeDigest.GetDhKeyOffset(c1, 1)));
        HandshakeDigest.WriteDigest(c1, 1, HandshakeDigest.Fp30);
        var server = new ServerHandshake(TestRtmpeCrypto.Options(TestRtmpeCrypto.Deterministic(1)));
        var output = new ArrayBufferWriter<byte>();
        var input = new ReadOnlySequence<byte>([0x06, .. c1]);

        var error = Assert.Throws<RtmpProtocolException>(() => server.TryAdvance(ref input, output));

        Assert.Equal("invalid RTMPE Diffie-Hellman public key from the peer: it is 1", error.Message);
        Assert.Equal(0, output.WrittenCount);
    }

    [Theory]
    [InlineData(RtmpeServerResponse.None)]
    [InlineData(RtmpeServerResponse.Xtea)]
    [InlineData(RtmpeServerResponse.Blowfish)]
    public void TryAdvance_WrongC2Signature_CompletesAndReportsInvalid(RtmpeServerResponse response)
    {
        var crypto = TestRtmpeCrypto.Deterministic(1);
        var (server, output, _) = Respond(TestRtmpeCrypto.Options(crypto, response), 0x06, ClientC1());
        ReadOnlySpan<byte> s1 = output.AsSpan(1, PacketSize);
        byte[] key = SignatureKey(s1.Slice(HandshakeDigest.GetDigestOffset(s1, 0), 32), HandshakeDigest.Fp62);
        byte[] c2 = new byte[PacketSize];
        new Random(4).NextBytes(c2);
        RtmpeKeys.WriteSignature(crypto, server.SignatureCipher, c2, key);
        Assert.True(RtmpeKeys.VerifySignature(crypto, server.SignatureCipher, c2, key));

        c2[1530] ^= 0x40;
        byte[] trailing = [1, 2, 3];
        var input = new ReadOnlySequence<byte>([.. c2, .. trailing]);

        Assert.True(server.TryAdvance(ref input, new ArrayBufferWriter<byte>()));

        Assert.False(server.ClientSignatureValid);
        Assert.True(server.IsCompleted);
        Assert.Equal(trailing, input.ToArray());
    }

    [Fact]
    public void TryAdvance_UnknownLowVersionWithRtmpeEnabled_StillAnswersPlain3()
    {
        byte[] c1 = HandshakeDigestTests.Tv2C1WithoutDigest();
        HandshakeDigest.WriteDigest(c1, 0, HandshakeDigest.Fp30);

        var (server, output, _) = Respond(TestRtmpeCrypto.Options(TestRtmpeCrypto.Deterministic(1)), 0x0A, c1);

        Assert.Equal(3, output[0]);
        Assert.False(server.IsEncrypted);
        Assert.Null(server.Encryptor);
        Assert.Equal(HandshakeKind.Digest, server.Kind);
    }

    [Fact]
    public void TryAdvance_PlainC0WithRtmpeEnabled_PlainDigestHandshake()
    {
        byte[] c1 = HandshakeDigestTests.Tv2C1WithoutDigest();
        HandshakeDigest.WriteDigest(c1, 0, HandshakeDigest.Fp30);

        var (server, output, _) = Respond(TestRtmpeCrypto.Options(TestRtmpeCrypto.Deterministic(1), RtmpeServerResponse.Xtea), 0x03, c1);

        Assert.Equal(3, output[0]);
        Assert.False(server.IsEncrypted);
        Assert.Equal(RtmpeSignatureCipher.None, server.SignatureCipher);
        Assert.True(HandshakeDigest.VerifySignature(output.AsSpan(1 + PacketSize), SignatureKey(c1.AsSpan(494, 32), HandshakeDigest.Fms68)));
    }
}
