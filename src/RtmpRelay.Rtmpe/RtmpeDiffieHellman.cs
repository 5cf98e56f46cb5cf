using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using RtmpRelay.Protocol;
using RtmpRelay.Protocol.Handshake;

namespace RtmpRelay.Rtmpe;

/// <summary>
/// The RTMPE Diffie-Hellman group (RFC 2409 second Oakley group: 1024-bit safe prime p, g = 2, q = (p-1)/2),
/// peer key checks and the 128-byte wire form of group elements.
/// </summary>
internal static class RtmpeDiffieHellman
{
    /// <summary>Values below 2^1016 have a zero top byte in 128-byte form.</summary>
    private const int TopByteBits = 8 * RtmpeKeys.PublicKeySize - 8;

    public static readonly BigInteger P = new(
        "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD" +
        "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED" +
        "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381FFFFFFFFFFFFFFFF", 16);

    public static readonly BigInteger G = BigInteger.Two;

    public static readonly BigInteger Q = P.ShiftRight(1);

    private static readonly BigInteger PMinusOne = P.Subtract(BigInteger.One);

    /// <summary>The group for BouncyCastle's DH classes; with q given, private keys are drawn from [2, q-2].</summary>
    public static readonly DHParameters Group = new(P, G, Q);

    /// <summary>Reads a 128-byte big-endian peer key and checks it; the reason names what is wrong.</summary>
    /// <exception cref="RtmpProtocolException">0, 1, &gt;= p-1, or y^q mod p != 1.</exception>
    public static DHPublicKeyParameters ReadPeerKey(ReadOnlySpan<byte> peerPublicKey)
    {
        if (peerPublicKey.Length != RtmpeKeys.PublicKeySize)
            throw new ArgumentException($"an RTMPE public key is {RtmpeKeys.PublicKeySize} bytes, got {peerPublicKey.Length}", nameof(peerPublicKey));

        var y = new BigInteger(1, peerPublicKey);
        string? problem =
            y.SignValue == 0 ? "it is 0"
            : y.Equals(BigInteger.One) ? "it is 1"
            : y.CompareTo(PMinusOne) >= 0 ? "it is >= p-1"
            // A safe-prime group: anything outside the order-q subgroup leaks a bit of our key (small-subgroup confinement).
            : !y.ModPow(Q, P).Equals(BigInteger.One) ? "it is not in the order-q subgroup (y^q mod p != 1)"
            : null;
        if (problem is not null)
            throw new RtmpProtocolException($"invalid RTMPE Diffie-Hellman public key from the peer: {problem}");

        return new DHPublicKeyParameters(y, Group);
    }

    /// <summary>Whether the 128-byte form of <paramref name="value"/> starts with a non-zero byte.</summary>
    public static bool HasNonZeroTopByte(BigInteger value) => value.BitLength > TopByteBits;

    /// <summary>Writes <paramref name="value"/> (&lt; 2^1024) as 128 bytes big-endian, left-padded with zeros.</summary>
    public static void WritePadded(BigInteger value, Span<byte> destination)
    {
        if (destination.Length < RtmpeKeys.PublicKeySize)
            throw new ArgumentException($"need {RtmpeKeys.PublicKeySize} bytes, got {destination.Length}", nameof(destination));

        Span<byte> target = destination[..RtmpeKeys.PublicKeySize];
        int length = value.GetLengthofByteArrayUnsigned();
        target[..^length].Clear();
        value.ToByteArrayUnsigned(target[^length..]);
    }
}
