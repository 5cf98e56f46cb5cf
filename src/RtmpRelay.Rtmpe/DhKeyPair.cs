using Org.BouncyCastle.Crypto.Agreement;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using RtmpRelay.Protocol.Handshake;

namespace RtmpRelay.Rtmpe;

/// <summary>One side's Diffie-Hellman key pair in the RTMPE group.</summary>
internal sealed class DhKeyPair : IRtmpeKeyPair
{
    private readonly DHPrivateKeyParameters _private;

    public DhKeyPair(DHPrivateKeyParameters privateKey, DHPublicKeyParameters publicKey)
    {
        _private = privateKey;
        Public = publicKey;
    }

    /// <summary>The public key y = g^x mod p.</summary>
    public DHPublicKeyParameters Public { get; }

    /// <summary>A key pair from a given big-endian private key (test vectors).</summary>
    public static DhKeyPair FromPrivateKey(ReadOnlySpan<byte> privateKey)
    {
        var x = new BigInteger(1, privateKey);
        BigInteger y = RtmpeDiffieHellman.G.ModPow(x, RtmpeDiffieHellman.P);
        return new DhKeyPair(new DHPrivateKeyParameters(x, RtmpeDiffieHellman.Group), new DHPublicKeyParameters(y, RtmpeDiffieHellman.Group));
    }

    public void WritePublicKey(Span<byte> destination) => RtmpeDiffieHellman.WritePadded(Public.Y, destination);

    public void ComputeSharedSecret(ReadOnlySpan<byte> peerPublicKey, Span<byte> destination) =>
        RtmpeDiffieHellman.WritePadded(Agree(RtmpeDiffieHellman.ReadPeerKey(peerPublicKey)), destination);

    /// <summary>peer^x mod p for an already checked peer key.</summary>
    public BigInteger Agree(DHPublicKeyParameters peer)
    {
        var agreement = new DHBasicAgreement();
        agreement.Init(_private);
        return agreement.CalculateAgreement(peer);
    }
}
