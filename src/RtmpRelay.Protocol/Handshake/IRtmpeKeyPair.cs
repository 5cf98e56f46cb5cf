namespace RtmpRelay.Protocol.Handshake;

/// <summary>A Diffie-Hellman key pair in the RTMPE group (RFC 2409 group 2, 1024-bit, g = 2).</summary>
public interface IRtmpeKeyPair
{
    /// <summary>Writes the public key into <paramref name="destination"/>: 128 bytes, big-endian, left-padded with zeros.</summary>
    void WritePublicKey(Span<byte> destination);

    /// <summary>
    /// Checks <paramref name="peerPublicKey"/> (128 bytes) and writes the shared secret peer^private mod p into
    /// <paramref name="destination"/>: 128 bytes, big-endian, left-padded with zeros (the padded convention).
    /// </summary>
    /// <exception cref="RtmpProtocolException">The peer key is 0, 1, &gt;= p-1, or outside the order-q subgroup.</exception>
    void ComputeSharedSecret(ReadOnlySpan<byte> peerPublicKey, Span<byte> destination);
}
