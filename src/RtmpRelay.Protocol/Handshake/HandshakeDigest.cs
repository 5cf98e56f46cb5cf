using System.Security.Cryptography;

namespace RtmpRelay.Protocol.Handshake;

/// <summary>
/// The Flash Player 9 digest handshake primitives: keys, digest and DH key positions, digests and signatures.
/// All methods take 1536-byte C1/S1/C2/S2 packets (without the C0/S0 byte) and allocate nothing.
/// </summary>
/// <remarks>
/// <code>
/// C1/S1, digest handshake (offsets from the start of C1/S1):
///   0      4        8                                                   1536
///   | time | version| 1528 bytes random, holding a 32-byte digest (and, in RTMPE, a 128-byte DH key) |
///
///              scheme 0                          scheme 1
///   digest     sum4(8)   % 728 + 12              sum4(772) % 728 + 776
///   DH key     sum4(1532) % 632 + 772            sum4(768) % 632 + 8
///   (sum4(o) = unsigned sum of the 4 bytes at o..o+3)
///
///   digest = HMAC-SHA256(partial key, P[0..pos) ++ P[pos+32..1536))   stored at P[pos..pos+32)
///
/// C2/S2, digest handshake:
///   0                                                  1504          1536
///   | random or echo of the peer's C1/S1               | signature   |
///   k = HMAC(full key, peer's C1/S1 digest);  signature = HMAC(k, P[0..1504))
/// </code>
/// </remarks>
public static class HandshakeDigest
{
    /// <summary>Size of C1, S1, C2 and S2.</summary>
    public const int PacketSize = 1536;

    /// <summary>Size of an HMAC-SHA256 digest, signature or derived key.</summary>
    public const int DigestSize = 32;

    /// <summary>Where the signature starts in C2/S2.</summary>
    public const int SignatureOffset = PacketSize - DigestSize;

    // Shared 32-byte suffix of both keys.
    private static ReadOnlySpan<byte> KeySuffix =>
    [
        0xf0, 0xee, 0xc2, 0x4a, 0x80, 0x68, 0xbe, 0xe8, 0x2e, 0x00, 0xd0, 0xd1, 0x02, 0x9e, 0x7e, 0x57,
        0x6e, 0xec, 0x5d, 0x2d, 0x29, 0x80, 0x6f, 0xab, 0x93, 0xb8, 0xe6, 0x36, 0xcf, 0xeb, 0x31, 0xae,
    ];

    private static readonly byte[] s_fp62 = [.. "Genuine Adobe Flash Player 001"u8, .. KeySuffix];
    private static readonly byte[] s_fms68 = [.. "Genuine Adobe Flash Media Server 001"u8, .. KeySuffix];

    /// <summary>"Genuine Adobe Flash Player 001": signs C1.</summary>
    public static ReadOnlySpan<byte> Fp30 => s_fp62.AsSpan(0, 30);

    /// <summary>The full Flash Player key: derives the C2 signature key from the S1 digest.</summary>
    public static ReadOnlySpan<byte> Fp62 => s_fp62;

    /// <summary>"Genuine Adobe Flash Media Server 001": signs S1.</summary>
    public static ReadOnlySpan<byte> Fms36 => s_fms68.AsSpan(0, 36);

    /// <summary>The full Flash Media Server key: derives the S2 signature key from the C1 digest.</summary>
    public static ReadOnlySpan<byte> Fms68 => s_fms68;

    /// <summary>Position of the 32-byte digest in <paramref name="packet"/> for <paramref name="scheme"/> 0 or 1.</summary>
    public static int GetDigestOffset(ReadOnlySpan<byte> packet, int scheme)
    {
        CheckPacket(packet);
        return scheme switch
        {
            0 => Sum4(packet, 8) % 728 + 12,
            1 => Sum4(packet, 772) % 728 + 776,
            _ => throw new ArgumentOutOfRangeException(nameof(scheme), scheme, "scheme is 0 or 1"),
        };
    }

    /// <summary>Position of the 128-byte RTMPE Diffie-Hellman public key for <paramref name="scheme"/> 0 or 1.</summary>
    public static int GetDhKeyOffset(ReadOnlySpan<byte> packet, int scheme)
    {
        CheckPacket(packet);
        return scheme switch
        {
            0 => Sum4(packet, 1532) % 632 + 772,
            1 => Sum4(packet, 768) % 632 + 8,
            _ => throw new ArgumentOutOfRangeException(nameof(scheme), scheme, "scheme is 0 or 1"),
        };
    }

    /// <summary>
    /// HMAC-SHA256 with <paramref name="key"/> over the packet without its 32 bytes at <paramref name="offset"/>,
    /// written to <paramref name="destination"/> (32 bytes).
    /// </summary>
    public static void ComputeDigest(ReadOnlySpan<byte> packet, int offset, ReadOnlySpan<byte> key, Span<byte> destination)
    {
        CheckPacket(packet);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(offset, PacketSize - DigestSize);

        // HMAC input = P[0..pos) ++ P[pos+32..1536): 1504 bytes on the stack, no per-handshake array.
        Span<byte> message = stackalloc byte[PacketSize - DigestSize];
        packet[..offset].CopyTo(message);
        packet[(offset + DigestSize)..PacketSize].CopyTo(message[offset..]);
        HMACSHA256.HashData(key, message, destination[..DigestSize]);
    }

    /// <summary>Computes the digest for <paramref name="scheme"/> and stores it in the packet; returns its offset.</summary>
    public static int WriteDigest(Span<byte> packet, int scheme, ReadOnlySpan<byte> key)
    {
        int offset = GetDigestOffset(packet, scheme);
        // The HMAC input excludes the destination bytes, so writing in place is safe.
        ComputeDigest(packet, offset, key, packet.Slice(offset, DigestSize));
        return offset;
    }

    /// <summary>Whether the packet holds a valid digest made with <paramref name="key"/> in <paramref name="scheme"/>.</summary>
    public static bool VerifyDigest(ReadOnlySpan<byte> packet, int scheme, ReadOnlySpan<byte> key)
    {
        int offset = GetDigestOffset(packet, scheme);
        Span<byte> expected = stackalloc byte[DigestSize];
        ComputeDigest(packet, offset, key, expected);
        return expected.SequenceEqual(packet.Slice(offset, DigestSize));
    }

    /// <summary>Looks for a valid digest in scheme 1, then scheme 0 (the server's order for C1).</summary>
    public static bool TryFindDigest(ReadOnlySpan<byte> packet, ReadOnlySpan<byte> key, out int scheme, out int offset) =>
        TryFindDigest(packet, key, firstScheme: 1, out scheme, out offset);

    /// <summary>Looks for a valid digest in <paramref name="firstScheme"/>, then the other scheme.</summary>
    /// <returns>False (with scheme -1, offset -1) when neither scheme validates.</returns>
    public static bool TryFindDigest(ReadOnlySpan<byte> packet, ReadOnlySpan<byte> key, int firstScheme, out int scheme, out int offset)
    {
        if (firstScheme is not (0 or 1))
            throw new ArgumentOutOfRangeException(nameof(firstScheme), firstScheme, "scheme is 0 or 1");

        for (int attempt = 0; attempt < 2; attempt++)
        {
            int candidate = attempt == 0 ? firstScheme : 1 - firstScheme;
            if (VerifyDigest(packet, candidate, key))
            {
                scheme = candidate;
                offset = GetDigestOffset(packet, candidate);
                return true;
            }
        }
        scheme = -1;
        offset = -1;
        return false;
    }

    /// <summary>
    /// The C2/S2 signature key: HMAC(<paramref name="fullKey"/>, <paramref name="peerDigest"/>) into
    /// <paramref name="destination"/> (32 bytes). Use <see cref="Fms68"/> with the C1 digest for S2,
    /// <see cref="Fp62"/> with the S1 digest for C2. RTMPE types 8/9 also pick their cipher rows from it.
    /// </summary>
    public static void ComputeSignatureKey(ReadOnlySpan<byte> peerDigest, ReadOnlySpan<byte> fullKey, Span<byte> destination)
    {
        if (peerDigest.Length != DigestSize)
            throw new ArgumentException($"a digest is {DigestSize} bytes", nameof(peerDigest));
        HMACSHA256.HashData(fullKey, peerDigest, destination[..DigestSize]);
    }

    /// <summary>The C2/S2 signature: HMAC(<paramref name="signatureKey"/>, packet[0..1504)) into <paramref name="destination"/>.</summary>
    public static void ComputeSignature(ReadOnlySpan<byte> packet, ReadOnlySpan<byte> signatureKey, Span<byte> destination)
    {
        CheckPacket(packet);
        HMACSHA256.HashData(signatureKey, packet[..SignatureOffset], destination[..DigestSize]);
    }

    /// <summary>Writes the signature into packet[1504..1536).</summary>
    public static void WriteSignature(Span<byte> packet, ReadOnlySpan<byte> signatureKey) =>
        ComputeSignature(packet, signatureKey, packet.Slice(SignatureOffset, DigestSize));

    /// <summary>Whether packet[1504..1536) is the signature made with <paramref name="signatureKey"/>.</summary>
    public static bool VerifySignature(ReadOnlySpan<byte> packet, ReadOnlySpan<byte> signatureKey)
    {
        Span<byte> expected = stackalloc byte[DigestSize];
        ComputeSignature(packet, signatureKey, expected);
        return expected.SequenceEqual(packet.Slice(SignatureOffset, DigestSize));
    }

    private static int Sum4(ReadOnlySpan<byte> packet, int offset) =>
        packet[offset] + packet[offset + 1] + packet[offset + 2] + packet[offset + 3];

    private static void CheckPacket(ReadOnlySpan<byte> packet)
    {
        if (packet.Length < PacketSize)
            throw new ArgumentException($"a handshake packet is {PacketSize} bytes, got {packet.Length}", nameof(packet));
    }
}
