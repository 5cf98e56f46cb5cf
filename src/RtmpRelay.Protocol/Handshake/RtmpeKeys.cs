using System.Security.Cryptography;

namespace RtmpRelay.Protocol.Handshake;

/// <summary>
/// The RTMPE recipe on top of the crypto primitives of <see cref="IRtmpeCrypto"/>: stream key derivation and the
/// (optionally encrypted) C2/S2 signature. Pure functions, nothing allocated except the two ciphers.
/// </summary>
/// <remarks>
/// <code>
/// secret      = peer^private mod p, 128 bytes big-endian, left-padded with zeros
/// client->server RC4 key = HMAC-SHA256(secret, SERVER public key)[0..16)
/// server->client RC4 key = HMAC-SHA256(secret, CLIENT public key)[0..16)
/// each keystream starts after 1536 discarded bytes; C0..C2 and S0..S2 stay plaintext
///
/// C2/S2:  | 1504 random or echo | signature = HMAC(k, P[0..1504)), then for types 8/9:          |
///                                 for i in 0, 8, 16, 24: encrypt sig[i..i+8) with row k[i] % 15
///         k = HMAC(FMS68, C1 digest) for S2, HMAC(FP62, S1 digest) for C2
/// </code>
/// </remarks>
public static class RtmpeKeys
{
    /// <summary>Size of a Diffie-Hellman public key on the wire (1024 bits).</summary>
    public const int PublicKeySize = 128;

    /// <summary>Size of the shared secret used as HMAC key (padded form).</summary>
    public const int SharedSecretSize = 128;

    /// <summary>Size of each RC4 key.</summary>
    public const int StreamKeySize = 16;

    /// <summary>Keystream bytes thrown away in each direction before the first encrypted byte.</summary>
    public const int DiscardedKeystreamBytes = 1536;

    /// <summary>Derives the two 16-byte RC4 keys from the padded shared secret and both 128-byte public keys.</summary>
    public static void DeriveStreamKeys(
        ReadOnlySpan<byte> sharedSecret,
        ReadOnlySpan<byte> serverPublicKey,
        ReadOnlySpan<byte> clientPublicKey,
        Span<byte> clientToServerKey,
        Span<byte> serverToClientKey)
    {
        CheckLength(sharedSecret, SharedSecretSize, nameof(sharedSecret));
        CheckLength(serverPublicKey, PublicKeySize, nameof(serverPublicKey));
        CheckLength(clientPublicKey, PublicKeySize, nameof(clientPublicKey));

        Span<byte> mac = stackalloc byte[HandshakeDigest.DigestSize];
        HMACSHA256.HashData(sharedSecret, serverPublicKey, mac);
        mac[..StreamKeySize].CopyTo(clientToServerKey);
        HMACSHA256.HashData(sharedSecret, clientPublicKey, mac);
        mac[..StreamKeySize].CopyTo(serverToClientKey);
        CryptographicOperations.ZeroMemory(mac);
    }

    /// <summary>Creates both RC4 streams with their first 1536 keystream bytes already discarded.</summary>
    public static (IRtmpeStreamCipher ClientToServer, IRtmpeStreamCipher ServerToClient) CreateStreamCiphers(
        IRtmpeCrypto crypto,
        ReadOnlySpan<byte> sharedSecret,
        ReadOnlySpan<byte> serverPublicKey,
        ReadOnlySpan<byte> clientPublicKey)
    {
        ArgumentNullException.ThrowIfNull(crypto);
        Span<byte> keys = stackalloc byte[2 * StreamKeySize];
        DeriveStreamKeys(sharedSecret, serverPublicKey, clientPublicKey, keys[..StreamKeySize], keys[StreamKeySize..]);
        IRtmpeStreamCipher clientToServer = crypto.CreateStreamCipher(keys[..StreamKeySize]);
        IRtmpeStreamCipher serverToClient = crypto.CreateStreamCipher(keys[StreamKeySize..]);
        CryptographicOperations.ZeroMemory(keys);
        Discard(clientToServer);
        Discard(serverToClient);
        return (clientToServer, serverToClient);
    }

    /// <summary>
    /// The signature of a C2/S2 <paramref name="packet"/> (HMAC over its first 1504 bytes with
    /// <paramref name="signatureKey"/>), encrypted per <paramref name="cipher"/>, into <paramref name="destination"/> (32 bytes).
    /// </summary>
    public static void ComputeSignature(
        IRtmpeCrypto crypto,
        RtmpeSignatureCipher cipher,
        ReadOnlySpan<byte> packet,
        ReadOnlySpan<byte> signatureKey,
        Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(crypto);
        HandshakeDigest.ComputeSignature(packet, signatureKey, destination);
        crypto.EncryptSignature(cipher, signatureKey, destination[..HandshakeDigest.DigestSize]);
    }

    /// <summary>Writes the (encrypted) signature into packet[1504..1536).</summary>
    public static void WriteSignature(IRtmpeCrypto crypto, RtmpeSignatureCipher cipher, Span<byte> packet, ReadOnlySpan<byte> signatureKey) =>
        ComputeSignature(crypto, cipher, packet, signatureKey, packet.Slice(HandshakeDigest.SignatureOffset, HandshakeDigest.DigestSize));

    /// <summary>Whether packet[1504..1536) is the signature made with <paramref name="signatureKey"/> and <paramref name="cipher"/>.</summary>
    public static bool VerifySignature(IRtmpeCrypto crypto, RtmpeSignatureCipher cipher, ReadOnlySpan<byte> packet, ReadOnlySpan<byte> signatureKey)
    {
        Span<byte> expected = stackalloc byte[HandshakeDigest.DigestSize];
        ComputeSignature(crypto, cipher, packet, signatureKey, expected);
        return expected.SequenceEqual(packet.Slice(HandshakeDigest.SignatureOffset, HandshakeDigest.DigestSize));
    }

    private static void Discard(IRtmpeStreamCipher cipher)
    {
        // Keystream XOR zeros, thrown away in 256-byte steps (only twice per connection).
        Span<byte> scratch = stackalloc byte[256];
        for (int done = 0; done < DiscardedKeystreamBytes; done += scratch.Length)
        {
            scratch.Clear();
            cipher.Transform(scratch, scratch);
        }
    }

    private static void CheckLength(ReadOnlySpan<byte> value, int length, string name)
    {
        if (value.Length != length)
            throw new ArgumentException($"expected {length} bytes, got {value.Length}", name);
    }
}
