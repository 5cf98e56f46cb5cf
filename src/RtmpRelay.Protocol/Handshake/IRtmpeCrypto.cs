namespace RtmpRelay.Protocol.Handshake;

/// <summary>
/// The cryptographic primitives of RTMPE that the BCL does not offer (1024-bit Diffie-Hellman, RC4, XTEA, Blowfish),
/// supplied through <see cref="HandshakeOptions.Rtmpe"/>. The RTMPE recipe itself (key positions, key derivation,
/// what is signed) lives in <see cref="ServerHandshake"/>, <see cref="ClientHandshake"/> and <see cref="RtmpeKeys"/>.
/// Implementations must be thread-safe: one instance serves every connection.
/// </summary>
public interface IRtmpeCrypto
{
    /// <summary>A fresh key pair for a client (its public key may have a zero top byte; it is sent padded).</summary>
    IRtmpeKeyPair CreateClientKeyPair();

    /// <summary>
    /// The server side of the key agreement in one step: checks <paramref name="clientPublicKey"/>, picks a private key
    /// such that both the server public key and the shared secret have a non-zero top byte (so clients that strip
    /// leading zeros and clients that pad agree on the secret), and writes both, 128 bytes each.
    /// </summary>
    /// <exception cref="RtmpProtocolException">The client key is 0, 1, &gt;= p-1, or outside the order-q subgroup.</exception>
    void AgreeAsServer(ReadOnlySpan<byte> clientPublicKey, Span<byte> serverPublicKey, Span<byte> sharedSecret);

    /// <summary>A standard RC4 keystream for <paramref name="key"/> (16 bytes), at position 0: the caller discards.</summary>
    IRtmpeStreamCipher CreateStreamCipher(ReadOnlySpan<byte> key);

    /// <summary>
    /// Encrypts the 32-byte <paramref name="signature"/> in place with <paramref name="cipher"/>: for i in 0, 8, 16, 24
    /// the block signature[i..i+8) with key row signatureKey[i] % 15. Does nothing for <see cref="RtmpeSignatureCipher.None"/>.
    /// </summary>
    void EncryptSignature(RtmpeSignatureCipher cipher, ReadOnlySpan<byte> signatureKey, Span<byte> signature);
}
