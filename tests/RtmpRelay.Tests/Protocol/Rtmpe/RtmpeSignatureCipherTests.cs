using RtmpRelay.Protocol.Handshake;
using RtmpRelay.Rtmpe;
using RtmpRelay.Tests.Protocol.Handshake;

namespace RtmpRelay.Tests.Protocol.Rtmpe;

public class RtmpeSignatureCipherTests
{
    // TV4: block 0001020304050607 encrypted with key row k = 0..14.
    private static readonly string[] s_xtea =
    [
        "c7c82aca95daa419", "56db83e87bb6c03f", "83e79d336fe13cf4", "3f6995e8db8eff4b", "461421c5e9476b9e",
        "b4cb855c172482f6", "125fd128ad5d3482", "462cb97d43c6dca1", "f50041d2a536667c", "84f660b627880e23",
        "58d64861f02e38fa", "ebb7e02f45c30c73", "252099840f5d0952", "c6036f28cfa4256e", "b7eecfdda2307f55",
    ];

    private static readonly string[] s_blowfish =
    [
        "a031fb6d807be57d", "c6bf25ece357e347", "f524a328092d4769", "6f719aa57093a566", "c231405151907752",
        "1d25cc9bde471da4", "ffd7e49294afae43", "4d14bb94b0cf1321", "d54ef4538c6252e9", "ca0a9910c0de1b08",
        "67e5d62da3dcf2e5", "c276411c15ec7a19", "58d100468622b7c7", "de85ea2830aa8abd", "e3082b7c168b32eb",
    ];

    public static TheoryData<int> Rows => new(Enumerable.Range(0, 15));

    [Theory]
    [MemberData(nameof(Rows))]
    public void EncryptBlock_Tv4Xtea_MatchesVector(int row)
    {
        byte[] block = [0, 1, 2, 3, 4, 5, 6, 7];

        RtmpeSignatureCiphers.EncryptBlock(RtmpeSignatureCipher.Xtea, row, block);

        Assert.Equal(s_xtea[row], Convert.ToHexStringLower(block));
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public void EncryptBlock_Tv4Blowfish_MatchesVector(int row)
    {
        byte[] block = [0, 1, 2, 3, 4, 5, 6, 7];

        RtmpeSignatureCiphers.EncryptBlock(RtmpeSignatureCipher.Blowfish, row, block);

        Assert.Equal(s_blowfish[row], Convert.ToHexStringLower(block));
    }

    [Fact]
    public void EncryptSignature_RowsFromKeyBytesModulo15_EachBlockWithItsRow()
    {
        // Key bytes at 0, 8, 16, 24 pick rows 0, 14 (= 29 % 15), 1 (= 16 % 15) and 0 (= 255 % 15).
        byte[] key = new byte[32];
        key[0] = 0;
        key[8] = 29;
        key[16] = 16;
        key[24] = 255;
        byte[] signature = [.. Block(), .. Block(), .. Block(), .. Block()];

        BouncyCastleRtmpeCrypto.Shared.EncryptSignature(RtmpeSignatureCipher.Xtea, key, signature);

        Assert.Equal(s_xtea[0] + s_xtea[14] + s_xtea[1] + s_xtea[0], Convert.ToHexStringLower(signature));
        static byte[] Block() => [0, 1, 2, 3, 4, 5, 6, 7];
    }

    [Fact]
    public void EncryptSignature_None_LeavesSignatureUnchanged()
    {
        byte[] signature = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        byte[] original = [.. signature];

        BouncyCastleRtmpeCrypto.Shared.EncryptSignature(RtmpeSignatureCipher.None, new byte[32], signature);

        Assert.Equal(original, signature);
    }

    [Theory]
    [InlineData(RtmpeSignatureCipher.None, "a907037020dbb84f84d00e4ca4488327ce0c3aa7b9f09cd48ed1d95e8336db1b")]
    [InlineData(RtmpeSignatureCipher.Xtea, "d83a6b0f5f9aac8e1f27810d05eccc4a1e77cad4ef88f83486cb7fedbb5323d6")]
    [InlineData(RtmpeSignatureCipher.Blowfish, "45c1872f01f4f0ed41e26f780ee7f56507bd4343acb14083904c0d41c824992c")]
    public void ComputeSignature_FlashPlayer20C1EchoedAsS2_MatchesPublishedSignature(RtmpeSignatureCipher cipher, string expected)
    {
        // handshake.md section 4: the Red5 capture, digest at 1079, S2[0..1504) = C1[0..1504).
        byte[] c1 = CapturedPackets.FlashPlayer20C1;
        byte[] key = new byte[32];
        HandshakeDigest.ComputeSignatureKey(c1.AsSpan(1079, 32), HandshakeDigest.Fms68, key);
        byte[] signature = new byte[32];

        RtmpeKeys.ComputeSignature(BouncyCastleRtmpeCrypto.Shared, cipher, c1, key, signature);

        Assert.Equal(expected, Convert.ToHexStringLower(signature));
    }

    [Fact]
    public void EncryptBlock_RowOutOfRange_Throws()
    {
        byte[] block = new byte[8];
        Assert.Throws<ArgumentOutOfRangeException>(() => RtmpeSignatureCiphers.EncryptBlock(RtmpeSignatureCipher.Xtea, 16, block));
    }
}
