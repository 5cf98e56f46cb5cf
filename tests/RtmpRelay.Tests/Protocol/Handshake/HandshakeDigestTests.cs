using System.Buffers.Binary;
using System.Security.Cryptography;
using RtmpRelay.Protocol.Handshake;

namespace RtmpRelay.Tests.Protocol.Handshake;

public class HandshakeDigestTests
{
    // TV2: ffmpeg's deterministic plain C1 (docs/protocol/handshake.md section 4).
    private const string Tv2Digest = "650bfb9b65f953d848e3456965d0d76b627a84e35e9ddabd8b43f0fadaee458c";
    private const string Tv2C1Sha256 = "50c8f966513a733e2726dacd9ebb4544e0ff96b9f54d49f50ac7908fa804a7c9";

    // TV5: patterned S1 and C2.
    private const string Tv5S1Digest = "7886a95eac3e353d8894fd03ea7bc2b0448075c55a1fa0f7180ec32d02f9cb05";
    private const string Tv5C2Key = "1c169c2a9b6ff294c4efa0d6366e1f1cd74492a22d70874828876f9cf0168ab1";
    private const string Tv5C2Signature = "035a7d58344bfed5b447b5df9f9928235b7736f8bab1ed7e9ea5e3250aeac537";

    internal static byte[] Tv2C1WithoutDigest()
    {
        byte[] c1 = new byte[HandshakeDigest.PacketSize];
        BinaryPrimitives.WriteUInt32BigEndian(c1.AsSpan(4), 0x09007C02);
        AvLfg.FfmpegC1RandomBytes().CopyTo(c1, 8);
        return c1;
    }

    internal static byte[] Tv5S1()
    {
        byte[] s1 = new byte[HandshakeDigest.PacketSize];
        for (int i = 0; i < s1.Length; i++)
            s1[i] = (byte)i;
        s1.AsSpan(0, 4).Clear();
        BinaryPrimitives.WriteUInt32BigEndian(s1.AsSpan(4), 0x03050101);
        return s1;
    }

    internal static byte[] Tv5C2()
    {
        byte[] c2 = new byte[HandshakeDigest.PacketSize];
        for (int i = 0; i < c2.Length; i++)
            c2[i] = (byte)(i * 7);
        return c2;
    }

    [Fact]
    public void WriteDigest_Tv2FfmpegC1_DigestAtPos494MatchesVector()
    {
        byte[] c1 = Tv2C1WithoutDigest();

        Assert.Equal(494, HandshakeDigest.GetDigestOffset(c1, 0));
        int offset = HandshakeDigest.WriteDigest(c1, 0, HandshakeDigest.Fp30);

        Assert.Equal(494, offset);
        Assert.Equal(Tv2Digest, Convert.ToHexStringLower(c1.AsSpan(494, 32)));
        Assert.Equal(Tv2C1Sha256, Sha256Hex(c1));
    }

    [Fact]
    public void TryFindDigest_Tv2FfmpegC1_FindsScheme0At494()
    {
        byte[] c1 = Tv2C1WithoutDigest();
        HandshakeDigest.WriteDigest(c1, 0, HandshakeDigest.Fp30);

        Assert.True(HandshakeDigest.TryFindDigest(c1, HandshakeDigest.Fp30, out int scheme, out int offset));
        Assert.Equal(0, scheme);
        Assert.Equal(494, offset);
        Assert.False(HandshakeDigest.TryFindDigest(c1, HandshakeDigest.Fms36, out _, out _));
    }

    [Fact]
    public void ComputeDigest_Tv2FfmpegC1_IgnoresBytesAtDigestPosition()
    {
        byte[] c1 = Tv2C1WithoutDigest();
        byte[] digest = new byte[32];

        HandshakeDigest.ComputeDigest(c1, 494, HandshakeDigest.Fp30, digest);
        c1.AsSpan(494, 32).Fill(0xEE);
        byte[] again = new byte[32];
        HandshakeDigest.ComputeDigest(c1, 494, HandshakeDigest.Fp30, again);

        Assert.Equal(Tv2Digest, Convert.ToHexStringLower(digest));
        Assert.Equal(digest, again);
    }

    [Fact]
    public void WriteDigest_Tv5PatternedS1_DigestAtPos50AndDhKeyAt1154()
    {
        byte[] s1 = Tv5S1();

        int offset = HandshakeDigest.WriteDigest(s1, 0, HandshakeDigest.Fms36);

        Assert.Equal(50, offset);
        Assert.Equal(Tv5S1Digest, Convert.ToHexStringLower(s1.AsSpan(50, 32)));
        Assert.Equal(1154, HandshakeDigest.GetDhKeyOffset(s1, 0));
        Assert.True(HandshakeDigest.VerifyDigest(s1, 0, HandshakeDigest.Fms36));
    }

    [Fact]
    public void ComputeSignature_Tv5C2_KeyAndSignatureMatchVector()
    {
        byte[] s1Digest = Convert.FromHexString(Tv5S1Digest);
        byte[] c2 = Tv5C2();
        byte[] key = new byte[32];
        byte[] signature = new byte[32];

        HandshakeDigest.ComputeSignatureKey(s1Digest, HandshakeDigest.Fp62, key);
        HandshakeDigest.ComputeSignature(c2, key, signature);

        Assert.Equal(Tv5C2Key, Convert.ToHexStringLower(key));
        Assert.Equal(Tv5C2Signature, Convert.ToHexStringLower(signature));
    }

    [Fact]
    public void VerifySignature_Tv5C2WithSignature_TrueAndFalseWhenFlipped()
    {
        byte[] key = Convert.FromHexString(Tv5C2Key);
        byte[] c2 = Tv5C2();
        HandshakeDigest.WriteSignature(c2, key);

        Assert.Equal(Tv5C2Signature, Convert.ToHexStringLower(c2.AsSpan(1504, 32)));
        Assert.True(HandshakeDigest.VerifySignature(c2, key));
        c2[100] ^= 1;
        Assert.False(HandshakeDigest.VerifySignature(c2, key));
    }

    [Fact]
    public void TryFindDigest_FlashPlayer20C1_FindsScheme1At1079()
    {
        byte[] c1 = CapturedPackets.FlashPlayer20C1;

        Assert.True(HandshakeDigest.TryFindDigest(c1, HandshakeDigest.Fp30, out int scheme, out int offset));
        Assert.Equal(1, scheme);
        Assert.Equal(1079, offset);
        Assert.Equal("4dda5f1fe26e6ab955626cd2ee4e56ae0a7e1b78cbad84116454a96f116ce6a8",
            Convert.ToHexStringLower(c1.AsSpan(1079, 32)));
    }

    [Fact]
    public void Keys_Lengths_MatchFlashKeyLayout()
    {
        Assert.Equal(30, HandshakeDigest.Fp30.Length);
        Assert.Equal(62, HandshakeDigest.Fp62.Length);
        Assert.Equal(36, HandshakeDigest.Fms36.Length);
        Assert.Equal(68, HandshakeDigest.Fms68.Length);
        Assert.True(HandshakeDigest.Fp62.EndsWith(HandshakeDigest.Fms68[36..]));
        Assert.Equal("Genuine Adobe Flash Media Server 001"u8.ToArray(), HandshakeDigest.Fms36.ToArray());
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(2)]
    public void GetDigestOffset_UnknownScheme_Throws(int scheme)
    {
        byte[] packet = new byte[HandshakeDigest.PacketSize];
        Assert.Throws<ArgumentOutOfRangeException>(() => HandshakeDigest.GetDigestOffset(packet, scheme));
    }

    [Fact]
    public void GetDigestOffset_ShortPacket_Throws()
    {
        byte[] packet = new byte[100];
        Assert.Throws<ArgumentException>(() => HandshakeDigest.GetDigestOffset(packet, 0));
    }

    internal static string Sha256Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
