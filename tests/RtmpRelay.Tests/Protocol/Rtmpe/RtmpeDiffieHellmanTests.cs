using System.Numerics;
using RtmpRelay.Protocol;
using RtmpRelay.Rtmpe;

namespace RtmpRelay.Tests.Protocol.Rtmpe;

public class RtmpeDiffieHellmanTests
{
    private static string PublicKeyHex(DhKeyPair pair)
    {
        byte[] key = new byte[128];
        pair.WritePublicKey(key);
        return Convert.ToHexStringLower(key);
    }

    [Fact]
    public void WritePublicKey_Tv6PrivateKeys_MatchVectors()
    {
        Assert.Equal(RtmpeVectors.A, PublicKeyHex(DhKeyPair.FromPrivateKey(RtmpeVectors.PrivateA())));
        Assert.Equal(RtmpeVectors.B, PublicKeyHex(DhKeyPair.FromPrivateKey(RtmpeVectors.PrivateB())));
    }

    [Fact]
    public void ComputeSharedSecret_Tv6_BothSidesGetVectorSecret()
    {
        byte[] clientSecret = new byte[128];
        byte[] serverSecret = new byte[128];

        DhKeyPair.FromPrivateKey(RtmpeVectors.PrivateA()).ComputeSharedSecret(Convert.FromHexString(RtmpeVectors.B), clientSecret);
        DhKeyPair.FromPrivateKey(RtmpeVectors.PrivateB()).ComputeSharedSecret(Convert.FromHexString(RtmpeVectors.A), serverSecret);

        Assert.Equal(RtmpeVectors.Secret, Convert.ToHexStringLower(clientSecret));
        Assert.Equal(clientSecret, serverSecret);
    }

    [Fact]
    public void ComputeSharedSecret_Tv7ZeroTopByte_WritesPaddedSecret()
    {
        var serverPair = DhKeyPair.FromPrivateKey(RtmpeVectors.PrivateBPrime());
        byte[] secret = new byte[128];
        Array.Fill(secret, (byte)0xEE); // the padding must be written, not left over

        DhKeyPair.FromPrivateKey(RtmpeVectors.PrivateA()).ComputeSharedSecret(Convert.FromHexString(RtmpeVectors.BPrime), secret);

        Assert.Equal(RtmpeVectors.BPrime, PublicKeyHex(serverPair));
        Assert.Equal(RtmpeVectors.PaddedSecretPrime, Convert.ToHexStringLower(secret));
    }

    [Fact]
    public void AgreeAsServer_Tv6_WritesServerKeyAndSecret()
    {
        var crypto = TestRtmpeCrypto.Scripted(RtmpeVectors.PrivateB());
        byte[] serverKey = new byte[128];
        byte[] secret = new byte[128];

        crypto.AgreeAsServer(Convert.FromHexString(RtmpeVectors.A), serverKey, secret);

        Assert.Equal(RtmpeVectors.B, Convert.ToHexStringLower(serverKey));
        Assert.Equal(RtmpeVectors.Secret, Convert.ToHexStringLower(secret));
    }

    [Fact]
    public void AgreeAsServer_ZeroTopByteInPublicKeyOrSecret_RegeneratesUntilBothNonZero()
    {
        // x = 5: public key 2^5 (zero top byte). b' (TV7): secret with zero top byte. b (TV6): both fine.
        var crypto = TestRtmpeCrypto.Scripted([5], RtmpeVectors.PrivateBPrime(), RtmpeVectors.PrivateB());
        byte[] serverKey = new byte[128];
        byte[] secret = new byte[128];

        crypto.AgreeAsServer(Convert.FromHexString(RtmpeVectors.A), serverKey, secret);

        Assert.Equal(RtmpeVectors.B, Convert.ToHexStringLower(serverKey));
        Assert.Equal(RtmpeVectors.Secret, Convert.ToHexStringLower(secret));
    }

    [Fact]
    public void AgreeAsServer_DefaultRandom_PublicKeyAndSecretTopBytesNonZeroAndClientAgrees()
    {
        var crypto = new BouncyCastleRtmpeCrypto();
        var client = crypto.CreateClientKeyPair();
        byte[] clientKey = new byte[128];
        client.WritePublicKey(clientKey);
        byte[] serverKey = new byte[128];
        byte[] serverSecret = new byte[128];
        byte[] clientSecret = new byte[128];

        crypto.AgreeAsServer(clientKey, serverKey, serverSecret);
        client.ComputeSharedSecret(serverKey, clientSecret);

        Assert.NotEqual(0, serverKey[0]);
        Assert.NotEqual(0, serverSecret[0]);
        Assert.Equal(serverSecret, clientSecret);
    }

    public static TheoryData<string, string> BadPeerKeys()
    {
        BigInteger p = RtmpeVectors.PrimeP;
        return new TheoryData<string, string>
        {
            { Hex(BigInteger.Zero), "it is 0" },
            { Hex(BigInteger.One), "it is 1" },
            { Hex(p - 1), "it is >= p-1" },
            { Hex(p), "it is >= p-1" },
            { new string('f', 256), "it is >= p-1" },
            // p - 2 = -2 mod p: 2 is a square mod p (p = 7 mod 8), -1 is not (p = 3 mod 4), so (p-2)^q = -1.
            { Hex(p - 2), "not in the order-q subgroup" },
        };

        static string Hex(BigInteger value) => Convert.ToHexStringLower(RtmpeVectors.Key128(value));
    }

    [Theory]
    [MemberData(nameof(BadPeerKeys))]
    public void ComputeSharedSecret_BadPeerKey_ThrowsProtocolExceptionWithReason(string peerKeyHex, string reason)
    {
        var pair = DhKeyPair.FromPrivateKey(RtmpeVectors.PrivateA());
        byte[] secret = new byte[128];

        var error = Assert.Throws<RtmpProtocolException>(() => pair.ComputeSharedSecret(Convert.FromHexString(peerKeyHex), secret));

        Assert.Contains("invalid RTMPE Diffie-Hellman public key", error.Message);
        Assert.Contains(reason, error.Message);
    }

    [Theory]
    [MemberData(nameof(BadPeerKeys))]
    public void AgreeAsServer_BadClientKey_ThrowsProtocolExceptionWithReason(string peerKeyHex, string reason)
    {
        var crypto = TestRtmpeCrypto.Deterministic(1);

        var error = Assert.Throws<RtmpProtocolException>(() => crypto.AgreeAsServer(Convert.FromHexString(peerKeyHex), new byte[128], new byte[128]));

        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void ComputeSharedSecret_GeneratorItself_Accepted()
    {
        // 2 has order q in this group: a valid, if odd, public key.
        var pair = DhKeyPair.FromPrivateKey(RtmpeVectors.PrivateA());

        pair.ComputeSharedSecret(RtmpeVectors.Key128(2), new byte[128]);
    }
}
