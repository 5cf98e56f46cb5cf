using RtmpRelay.Protocol.Handshake;
using RtmpRelay.Rtmpe;

namespace RtmpRelay.Tests.Protocol.Rtmpe;

public class RtmpeKeysTests
{
    private static (string ClientToServer, string ServerToClient) Keys(string secret, string serverKey, string clientKey)
    {
        byte[] c2s = new byte[16];
        byte[] s2c = new byte[16];
        RtmpeKeys.DeriveStreamKeys(Convert.FromHexString(secret), Convert.FromHexString(serverKey), Convert.FromHexString(clientKey), c2s, s2c);
        return (Convert.ToHexStringLower(c2s), Convert.ToHexStringLower(s2c));
    }

    private static byte[] Keystream(IRtmpeStreamCipher cipher, int length)
    {
        byte[] bytes = new byte[length];
        cipher.Transform(bytes, bytes);
        return bytes;
    }

    [Fact]
    public void DeriveStreamKeys_Tv6_MatchVectors()
    {
        var (c2s, s2c) = Keys(RtmpeVectors.Secret, RtmpeVectors.B, RtmpeVectors.A);

        Assert.Equal(RtmpeVectors.ClientToServerKey, c2s);
        Assert.Equal(RtmpeVectors.ServerToClientKey, s2c);
    }

    [Fact]
    public void DeriveStreamKeys_Tv7PaddedSecret_MatchPaddedVectors()
    {
        var (c2s, s2c) = Keys(RtmpeVectors.PaddedSecretPrime, RtmpeVectors.BPrime, RtmpeVectors.A);

        Assert.Equal(RtmpeVectors.ClientToServerKeyPrime, c2s);
        Assert.Equal(RtmpeVectors.ServerToClientKeyPrime, s2c);
    }

    [Theory]
    [InlineData(RtmpeVectors.ClientToServerKey, RtmpeVectors.ClientToServerKeystream0, RtmpeVectors.ClientToServerKeystream1536)]
    [InlineData(RtmpeVectors.ServerToClientKey, RtmpeVectors.ServerToClientKeystream0, RtmpeVectors.ServerToClientKeystream1536)]
    public void CreateStreamCipher_Tv6Key_KeystreamMatchesAt0And1536(string key, string at0, string at1536)
    {
        IRtmpeStreamCipher rc4 = BouncyCastleRtmpeCrypto.Shared.CreateStreamCipher(Convert.FromHexString(key));

        byte[] stream = Keystream(rc4, 1552);

        Assert.Equal(at0, Convert.ToHexStringLower(stream.AsSpan(0, 16)));
        Assert.Equal(at1536, Convert.ToHexStringLower(stream.AsSpan(1536, 16)));
    }

    [Fact]
    public void CreateStreamCiphers_Tv6_BothStreamsStartAfter1536DiscardedBytes()
    {
        var (clientToServer, serverToClient) = RtmpeKeys.CreateStreamCiphers(
            BouncyCastleRtmpeCrypto.Shared,
            Convert.FromHexString(RtmpeVectors.Secret),
            Convert.FromHexString(RtmpeVectors.B),
            Convert.FromHexString(RtmpeVectors.A));

        Assert.Equal(RtmpeVectors.ClientToServerKeystream1536, Convert.ToHexStringLower(Keystream(clientToServer, 16)));
        Assert.Equal(RtmpeVectors.ServerToClientKeystream1536, Convert.ToHexStringLower(Keystream(serverToClient, 16)));
    }

    [Fact]
    public void Transform_InPlaceAndCopySplitAnywhere_SameOutput()
    {
        byte[] key = Convert.FromHexString(RtmpeVectors.ClientToServerKey);
        byte[] plain = Enumerable.Range(0, 1000).Select(i => (byte)(i * 31)).ToArray();
        byte[] whole = new byte[plain.Length];
        BouncyCastleRtmpeCrypto.Shared.CreateStreamCipher(key).Transform(plain, whole);

        IRtmpeStreamCipher pieces = BouncyCastleRtmpeCrypto.Shared.CreateStreamCipher(key);
        byte[] inPlace = [.. plain];
        int offset = 0;
        foreach (int size in new[] { 1, 7, 0, 300, 692 })
        {
            Span<byte> piece = inPlace.AsSpan(offset, size);
            pieces.Transform(piece, piece);
            offset += size;
        }

        Assert.Equal(whole, inPlace);
    }

    [Fact]
    public void Transform_OutputShorterThanInput_Throws()
    {
        IRtmpeStreamCipher rc4 = BouncyCastleRtmpeCrypto.Shared.CreateStreamCipher(new byte[16]);
        Assert.Throws<ArgumentException>(() => rc4.Transform(new byte[4], new byte[3]));
    }
}
